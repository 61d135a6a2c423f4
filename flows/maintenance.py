"""Operator commands on a warehouse folder, under the run lock: rebuild the state from the
lake alone, and compact the lake's small partitions."""

from __future__ import annotations

import datetime as dt
import shutil
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from flows import lake
from flows.errors import RunRefused
from flows.lock import warehouse_lock
from flows.merge import finish_committed, last_run, publish, replace_state
from flows.settings import Layout
from flows.warehouse import check_state


class NothingToRebuild(RunRefused):
    """The lake has no partitions: there is nothing to rebuild from."""


@dataclass(frozen=True, slots=True)
class Rebuilt:
    runs: int
    seconds: float
    database_path: Path


@dataclass(frozen=True, slots=True)
class Compacted:
    partitions_before: int
    partitions_after: int
    bytes_before: int
    bytes_after: int


def rebuild_warehouse(layout: Layout, parser: str, lock_timeout: float) -> Rebuilt:
    """Replace the state, history included, by one replayed from the lake's partitions with
    this parsing code, and publish it; the old state is kept until the new one is whole."""
    started = time.perf_counter()
    with warehouse_lock(layout.warehouse_dir, lock_timeout, "rebuild"):
        check_state(layout.state_path, layout.database_path)
        finish_committed(layout)
        if not lake.published_partitions(layout.lake_dir):
            raise NothingToRebuild(
                f"no lake partitions under {layout.lake_dir}: nothing to rebuild"
            )
        work = layout.work_dir / f"rebuild-{uuid.uuid4().hex}"
        try:
            runs = replace_state(layout, work, parser, dt.datetime.now(dt.UTC))
        finally:
            shutil.rmtree(work, ignore_errors=True)
        last = last_run(layout.state_path)
        if last is not None:
            publish(layout, last, version=f"{last}~{int(time.time() * 1000)}")
    return Rebuilt(runs, time.perf_counter() - started, layout.database_path)


def compact_lake(layout: Layout, lock_timeout: float) -> Compacted:
    """Merge each run of consecutive small partitions into one; rows are kept as they are,
    tagged with their run, so ``rebuild`` replays the same runs."""
    with warehouse_lock(layout.warehouse_dir, lock_timeout, "compact"):
        finish_committed(layout)
        before = lake.published_partitions(layout.lake_dir)
        size_before = lake.lake_size(layout.lake_dir)
        for group in lake.small_runs(layout.lake_dir):
            lake.compact_partitions(group)
        after = lake.published_partitions(layout.lake_dir)
        return Compacted(len(before), len(after), size_before, lake.lake_size(layout.lake_dir))
