"""An incremental run patches a copy of the published file only when it can trust that copy,
and the warehouse equals a full refresh either way."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import duckdb
import pytest

import flows.patch
from flows.etl import RunSummary, quicktakes_etl
from flows.patch import (
    WarehousePatch,
    plan_patch,
    read_stamp,
    stamp_path,
    untrusted,
    write_stamp,
)
from flows.warehouse import DATABASE_FILE, WAREHOUSE_VERSIONS
from tests.conftest import FIXTURES, assert_holds_its_lake, render_article, warehouse_rows

pytestmark = pytest.mark.usefixtures("prefect_server")


@pytest.fixture
def source(tmp_path: Path) -> Path:
    """The fixture corpus: its rejected files are parsed again by every run, so every run
    after the first is incremental and has rows to replace."""
    copy = tmp_path / "source"
    shutil.copytree(FIXTURES / "corpus", copy)
    return copy


def run(source: Path, warehouse: Path, full_refresh: bool = False) -> RunSummary:
    return quicktakes_etl(source=str(source), warehouse=str(warehouse), full_refresh=full_refresh)


def assert_equals_a_full_refresh(summary: RunSummary, source: Path, tmp_path: Path) -> None:
    full = run(source, tmp_path / "full", full_refresh=True)
    assert warehouse_rows(summary.database_path) == warehouse_rows(full.database_path)
    assert_holds_its_lake(Path(summary.database_path))


def patch_plan(warehouse: Path) -> WarehousePatch | str:
    return plan_patch(warehouse / DATABASE_FILE, warehouse / "lake", [], [])


def test_a_published_file_is_stamped_and_patched_by_the_next_run(
    source: Path, tmp_path: Path
) -> None:
    warehouse = tmp_path / "wh"
    first = run(source, warehouse)
    stamp = read_stamp(warehouse / DATABASE_FILE)
    assert stamp is not None and stamp.run_id == first.run_id
    assert stamp.full_build_size == (warehouse / DATABASE_FILE).stat().st_size
    second = run(source, warehouse)
    assert second.patched and "(patched" in second.render()
    assert recorded_build(first) == "whole" and recorded_build(second) == "patched"
    restamped = read_stamp(warehouse / DATABASE_FILE)
    assert restamped is not None and restamped.run_id == second.run_id
    assert restamped.full_build_size == stamp.full_build_size
    assert_equals_a_full_refresh(second, source, tmp_path)


def test_a_warehouse_folder_named_like_a_glob_is_built_and_patched(
    source: Path, tmp_path: Path
) -> None:
    """DuckDB globs the lake paths it reads; ``whp``, which the unescaped pattern of
    ``wh[p]*`` matches, holds a lake of other rows, which the lake check must not read."""
    decoy = run(source, tmp_path / "whp")
    (source / "learn" / "biology" / "new.md").write_text(render_article(article_id=600))
    warehouse = tmp_path / "wh[p]*"
    first = run(source, warehouse)
    assert first.counts["articles"] == decoy.counts["articles"] + 1
    (source / "learn" / "biology" / "newer.md").write_text(render_article(article_id=601))
    second = run(source, warehouse)
    assert recorded_build(second) == "patched"
    assert second.counts["articles"] == first.counts["articles"] + 1
    assert_equals_a_full_refresh(second, source, tmp_path)


def recorded_build(summary: RunSummary) -> str:
    """How etl.runs says the run made its file."""
    with duckdb.connect(summary.database_path, read_only=True) as con:
        row = con.execute(
            "select warehouse_build from etl.runs where run_id = $run", {"run": summary.run_id}
        ).fetchone()
    assert row is not None
    return str(row[0])


def rerun_after_damage(source: Path, warehouse: Path, *statements: str) -> RunSummary:
    """A run, these statements on its published file under a stamp that still vouches for
    it (as if the file were damaged unnoticed), and the next run."""
    first = run(source, warehouse)
    database = warehouse / DATABASE_FILE
    with duckdb.connect(str(database)) as con:
        for statement in statements:
            con.execute(statement)
    write_stamp(database, first.run_id, database.stat(), None)
    return run(source, warehouse)


def test_a_patch_without_the_lakes_row_counts_is_built_whole(
    source: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A published file that lost rows of articles the run does not parse (consistently:
    its checks pass), yet whose stamp vouches for it: the patched tables cannot match the
    lake's counts."""
    summary = rerun_after_damage(
        source,
        tmp_path / "wh",
        "delete from related_articles",
        "update articles set related_count = 0",
    )
    assert not summary.patched and recorded_build(summary) == "whole"
    assert "row counts" in caplog.text and "differ from the lake's" in caplog.text
    assert_equals_a_full_refresh(summary, source, tmp_path)


def test_a_patched_file_failing_a_check_is_built_whole(
    source: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Same row counts, a wrong denormalized count on an article the run does not parse:
    the patched copy fails child_counts_match, the whole build from the lake passes."""
    summary = rerun_after_damage(
        source, tmp_path / "wh", "update articles set point_count = point_count + 1"
    )
    assert not summary.patched
    assert "the patched file failed checks" in caplog.text and "child_counts_match" in caplog.text
    assert_equals_a_full_refresh(summary, source, tmp_path)


def test_a_file_written_to_after_publishing_is_rebuilt(source: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "wh"
    run(source, warehouse)
    with duckdb.connect(str(warehouse / DATABASE_FILE)) as con:
        con.execute("create table scratch as select 1 as x")
        con.execute("update articles set title = 'edited by hand'")
    assert untrusted(warehouse / DATABASE_FILE, warehouse / "lake") == (
        "the published file was written to after it was published"
    )
    summary = run(source, warehouse)
    assert not summary.patched
    with duckdb.connect(summary.database_path, read_only=True) as con:
        scratch = "select count(*) from duckdb_tables() where table_name = 'scratch'"
        assert con.execute(scratch).fetchall() == [(0,)]
    assert_equals_a_full_refresh(summary, source, tmp_path)


def test_an_open_read_write_session_means_a_rebuild(source: Path, tmp_path: Path) -> None:
    """Its exclusive lock refuses the read-only connection the copy is taken under."""
    warehouse = tmp_path / "wh"
    run(source, warehouse)
    with duckdb.connect(str(warehouse / DATABASE_FILE)) as session:
        summary = run(source, warehouse)
        assert session.execute("select count(*) from articles").fetchall() == [(3,)]
    assert not summary.patched
    assert_equals_a_full_refresh(summary, source, tmp_path)


def test_a_new_canonical_subject_name_rebuilds(source: Path, tmp_path: Path) -> None:
    """Biology's two spellings tie, so 'Biology' wins; one more 'biology' listing renames
    the subject on the rows of files the run does not parse."""
    warehouse = tmp_path / "wh"
    run(source, warehouse)
    (source / "learn" / "biology" / "what-is-it.md").write_text(
        render_article(article_id=700, subject="biology", slug="biology")
    )
    summary = run(source, warehouse)
    assert not summary.patched
    with duckdb.connect(summary.database_path, read_only=True) as con:
        subjects = "select distinct subject from articles where subject_slug = 'biology'"
        assert con.execute(subjects).fetchall() == [("biology",)]
    assert_equals_a_full_refresh(summary, source, tmp_path)


def _remove_stamp(warehouse: Path) -> None:
    stamp_path(warehouse / DATABASE_FILE).unlink()


def _stamp_another_run(warehouse: Path) -> None:
    path = stamp_path(warehouse / DATABASE_FILE)
    path.write_text(json.dumps({**json.loads(path.read_text()), "run_id": "another-run"}))


def _leave_a_wal(warehouse: Path) -> None:
    """Where DuckDB writes it: beside the file the published link points to."""
    (warehouse / WAREHOUSE_VERSIONS / f"{(warehouse / DATABASE_FILE).resolve().name}.wal").touch()


def _touch(warehouse: Path) -> None:
    os.utime(warehouse / DATABASE_FILE, ns=(1, 1))


def _damage_stamp(warehouse: Path) -> None:
    path = stamp_path(warehouse / DATABASE_FILE)
    path.write_text(json.dumps({**json.loads(path.read_text()), "full_build_size": None}))


def _grow(warehouse: Path) -> None:
    path = stamp_path(warehouse / DATABASE_FILE)
    stamp = json.loads(path.read_text())
    path.write_text(json.dumps({**stamp, "full_build_size": stamp["size"] // 2}))


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (_remove_stamp, "no stamp says which run built the published file"),
        (_damage_stamp, "no stamp says which run built the published file"),
        (_stamp_another_run, "the published file and the published lake come from different"),
        (_leave_a_wal, "the published file has a write-ahead log"),
        (_touch, "the published file was written to after it was published"),
        (_grow, "compacting: patches grew the file to 2.0 times its size"),
    ],
)
def test_reasons_to_rebuild(
    source: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    change: object,
    reason: str,
) -> None:
    monkeypatch.setattr(flows.patch, "GROWTH_SLACK", 0)
    warehouse = tmp_path / "wh"
    run(source, warehouse)
    assert isinstance(patch_plan(warehouse), WarehousePatch)
    change(warehouse)  # type: ignore[operator]
    found = patch_plan(warehouse)
    assert isinstance(found, str) and found.startswith(reason)


def test_a_file_older_than_its_lake_is_rebuilt_even_when_nothing_changed(
    source: Path, tmp_path: Path
) -> None:
    """As a run killed between publishing the lake and the file leaves it: the next run,
    finding no file changed, still builds the file from the newer lake."""
    shutil.rmtree(source / "learn" / "broken")
    warehouse = tmp_path / "wh"
    run(source, warehouse)
    assert not run(source, warehouse).published
    _stamp_another_run(warehouse)
    rerun = run(source, warehouse)
    assert rerun.published and not rerun.patched
    assert read_stamp(warehouse / DATABASE_FILE).run_id == rerun.run_id  # type: ignore[union-attr]
    assert_holds_its_lake(warehouse / DATABASE_FILE)
