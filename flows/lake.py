"""The append-only Parquet lake: one partition per run, never rewritten once published.

``lake/runs/<run no>-<run id>/`` holds what the run read (``files``: raw bytes, status,
errors; deleted paths), the rows parsed from it (``pages``, ``page_points``,
``page_keywords``, ``page_related_links``), and the run's record (``etl.runs``,
``etl.check_results``). A run writes its partition under ``lake/.pending/`` and renames
it into ``lake/runs/`` after the state committed the run: a partition in ``runs/`` is
always one the state holds, which is what lets ``rebuild`` trust the lake alone.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from flows.gitsource import GitTree
from flows.search_index import search_documents
from flows.storage import SourceTree, StagingArea
from transforms import schemas
from transforms.batch import SourceFile, parse_batch

Source = SourceTree | GitTree
RUNS_DIR = "runs"
PENDING_DIR = ".pending"


@dataclass(frozen=True, slots=True)
class BatchSummary:
    batch_no: int
    file_count: int
    rejected_count: int
    seconds: float


def partition_name(run_no: int, run_id: str) -> str:
    return f"{run_no:06d}-{run_id}"


def run_id_of(partition: Path) -> str:
    return partition.name.split("-", 1)[1]


def pending_partition(lake_dir: Path, run_no: int, run_id: str) -> Path:
    return lake_dir / PENDING_DIR / partition_name(run_no, run_id)


def published_partitions(lake_dir: Path) -> list[Path]:
    """The lake's partitions in run order."""
    folder = lake_dir / RUNS_DIR
    return sorted(folder.iterdir()) if folder.is_dir() else []


@dataclass(frozen=True, slots=True)
class BatchSlice:
    """Rows ``offset`` to ``offset + length`` of the run's to-read file."""

    path: Path
    offset: int
    length: int


def stage_slice(
    source: Source, batch: BatchSlice, staging: StagingArea, batch_no: int
) -> BatchSummary:
    """One batch of the to-read file parsed and staged. Here, not beside the flow: a worker
    that unpickles it imports this module, and the flow's would import Prefect (a second
    or more before the first batch)."""
    files = pq.read_table(batch.path).slice(batch.offset, batch.length)
    return stage_batch(source, files, staging, batch_no)


def stage_batch(
    source: Source, files: pa.Table, staging: StagingArea, batch_no: int
) -> BatchSummary:
    """Read and parse one batch of files (``source_path``, ``mtime_ns``, ``blob_id``) and
    stage each of its tables as one Parquet file. Runs in a worker; returns only a small
    summary."""
    started = time.perf_counter()
    mtimes = files.column("mtime_ns").to_pylist()
    tables = parse_and_index(
        SourceFile(path, mtime, raw)
        for (path, raw), mtime in zip(source.read(files), mtimes, strict=True)
    )
    for name, table in tables.items():
        staging.write(name, batch_no, table)
    return BatchSummary(
        batch_no=batch_no,
        file_count=files.num_rows,
        rejected_count=tables["files"].num_rows - tables["pages"].num_rows,
        seconds=time.perf_counter() - started,
    )


def parse_and_index(files: Iterable[SourceFile]) -> dict[str, pa.Table]:
    """Every parsed table of these files (``schemas.PARSED_TABLES``): their rows, and
    their search documents."""
    tables = parse_batch(files)
    tables["search_documents"] = search_documents(tables["pages"], tables["page_points"])
    return tables


def write_table(folder: Path, table: str, rows: pa.Table, file_name: str) -> None:
    """One Parquet file of a partition's table, atomically (temp file, then rename)."""
    directory = folder / table
    directory.mkdir(parents=True, exist_ok=True)
    temporary = directory / f".{file_name}.tmp"
    try:
        pq.write_table(rows, temporary, compression="zstd")
        temporary.replace(directory / file_name)
    finally:
        temporary.unlink(missing_ok=True)


def write_deleted(partition: Path, deleted: pa.Table) -> None:
    """The paths the run found gone, as ``files`` rows."""
    if deleted.num_rows == 0:
        return
    rows = pa.table(
        {
            name: deleted.column("source_path")
            if name == "source_path"
            else pa.array([name == "is_deleted" or None] * deleted.num_rows, field.type)
            if name == "is_deleted"
            else pa.nulls(deleted.num_rows, field.type)
            for name, field in zip(schemas.FILES.names, schemas.FILES, strict=True)
        },
        schemas.FILES,
    )
    write_table(partition, "files", rows, "deleted.parquet")


def write_run_tables(partition: Path, tables: dict[str, pa.Table]) -> None:
    for table, rows in tables.items():
        write_table(partition, table, rows, "run.parquet")


def publish_partition(pending: Path) -> Path:
    """Rename a committed run's partition into ``runs/``: from then on it is the record."""
    published = pending.parent.parent / RUNS_DIR / pending.name
    published.parent.mkdir(exist_ok=True)
    pending.rename(published)
    return published


def read_run_rows(partition: Path) -> pa.Table:
    """The runs a partition holds (several for a compacted one), in run order."""
    rows = pq.read_table(partition / "etl.runs", schema=schemas.RUNS)
    return rows.sort_by("run_no")


def lake_size(lake_dir: Path) -> int:
    return sum(f.stat().st_size for f in lake_dir.rglob("*") if f.is_file())


def has_table(partition: Path, table: str) -> bool:
    folder = partition / table
    return folder.is_dir() and any(folder.glob("*.parquet"))


def remove_pending(lake_dir: Path, keep: set[str]) -> list[Path]:
    """Delete pending partitions of runs the state does not hold (killed before their
    commit); return those it does hold, to be finished."""
    folder = lake_dir / PENDING_DIR
    committed = []
    for pending in sorted(folder.iterdir()) if folder.is_dir() else []:
        if run_id_of(pending) in keep:
            committed.append(pending)
        else:
            shutil.rmtree(pending, ignore_errors=True)
    return committed


COMPACTED_SUFFIX = ".compacted"
SMALL_PARTITION_BYTES = 8 * 1024 * 1024
"""Partitions below this are merged by ``compact``: a full load stays as it was written."""


def is_compacted(partition: Path) -> bool:
    return partition.name.endswith(COMPACTED_SUFFIX)


def partition_runs(partition: Path) -> list[str]:
    return [str(run_id) for run_id in read_run_rows(partition).column("run_id").to_pylist()]


def small_runs(lake_dir: Path) -> list[list[Path]]:
    """Sequences of two or more consecutive small partitions, each to become one."""
    groups: list[list[Path]] = [[]]
    for partition in published_partitions(lake_dir):
        size = sum(f.stat().st_size for f in partition.rglob("*.parquet"))
        if size < SMALL_PARTITION_BYTES:
            groups[-1].append(partition)
        elif groups[-1]:
            groups.append([])
    return [group for group in groups if len(group) > 1]


def compact_partitions(partitions: list[Path]) -> Path:
    """Write the rows of consecutive partitions as one, each row tagged with its run, and
    publish it; the originals go once it is in place (``remove_compacted`` finishes that
    after a kill)."""
    first, last = partitions[0].name.split("-")[0], partitions[-1].name.split("-")[0]
    lake_dir = partitions[0].parent.parent
    pending = lake_dir / PENDING_DIR / f"{first}-{last}{COMPACTED_SUFFIX}"
    shutil.rmtree(pending, ignore_errors=True)
    for table in (*schemas.PARSED_TABLES, *schemas.RUN_TABLES):
        parts = [
            _with_run_id(pq.read_table(p / table), p, table)
            for p in partitions
            if has_table(p, table)
        ]
        if parts:
            write_table(pending, table, pa.concat_tables(parts), "compacted.parquet")
    published = publish_partition(pending)
    remove_compacted(lake_dir)
    return published


def _with_run_id(rows: pa.Table, partition: Path, table: str) -> pa.Table:
    if "run_id" in rows.column_names:
        return rows
    run_id = partition_runs(partition)[0]
    return rows.append_column("run_id", pa.array([run_id] * rows.num_rows, pa.string()))


def remove_compacted(lake_dir: Path) -> None:
    """Delete partitions whose runs a compacted partition holds (a kill between publishing
    a compacted partition and deleting its originals leaves both)."""
    partitions = published_partitions(lake_dir)
    covered = {run for p in partitions if is_compacted(p) for run in partition_runs(p)}
    for partition in partitions:
        if not is_compacted(partition) and set(partition_runs(partition)) <= covered:
            shutil.rmtree(partition)
