"""Incremental runs equal a full refresh, row for row, over a sequence of corpus states."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from flows.etl import MassDeletion, quicktakes_etl
from tests.conftest import FIXTURES, assert_holds_its_lake, render_article, warehouse_rows

pytestmark = pytest.mark.usefixtures("prefect_server")

OSMOSIS = "learn/biology/what-is-osmosis.md"
DIFFUSION_BIO = "learn/biology/what-is-diffusion.md"
DIFFUSION_PSY = "learn/psychology/what-is-diffusion.md"
SORT = "learn/computer-science/how-do-you-sort-a-list.md"
OSMOSIS_PSY = "learn/psychology/what-is-osmosis.md"


def edit(path: Path, old: str, new: str) -> None:
    path.write_text(path.read_text().replace(old, new))


def add_and_edit(source: Path) -> None:
    (source / "learn" / "biology" / "new.md").write_text(render_article(article_id=600))
    edit(source / OSMOSIS, "Only water passes freely.", "Only water passes freely, mostly.")


def rename(source: Path) -> None:
    (source / SORT).rename(source / "learn" / "computer-science" / "sorting-a-list.md")


def add_cross_listing(source: Path) -> None:
    text = (source / OSMOSIS).read_text().replace("/learn/biology/", "/learn/psychology/")
    (source / OSMOSIS_PSY).write_text(text.replace("subject: Biology", "subject: Psychology"))


def delete_and_break(source: Path) -> None:
    (source / DIFFUSION_PSY).unlink()
    edit(source / DIFFUSION_BIO, "answer: >-", "answer: [broken")


def remove_cross_listing_and_fix(source: Path) -> None:
    (source / OSMOSIS_PSY).unlink()
    edit(source / DIFFUSION_BIO, "answer: [broken", "answer: >-")
    edit(source / OSMOSIS, "Biology\n", "Biology\n")


def touch_only(source: Path) -> None:
    os.utime(source / OSMOSIS, ns=(1, 1))


def nothing(source: Path) -> None:
    pass


STEPS: list[Callable[[Path], None]] = [
    nothing,
    add_and_edit,
    rename,
    add_cross_listing,
    delete_and_break,
    remove_cross_listing_and_fix,
    touch_only,
    nothing,
]


def test_replayed_changes_equal_a_full_refresh_after_every_step(tmp_path: Path) -> None:
    """Every run after the first patches the published file (the fixture corpus has
    rejected files, which every run parses again, so none is a no-op)."""
    source = tmp_path / "source"
    shutil.copytree(FIXTURES / "corpus", source)
    incremental, full = tmp_path / "incremental", tmp_path / "full"
    patched = []
    for step in STEPS:
        step(source)
        fast = quicktakes_etl(source=str(source), warehouse=str(incremental), batch_size=2)
        slow = quicktakes_etl(source=str(source), warehouse=str(full), full_refresh=True)
        assert warehouse_rows(Path(fast.database_path)) == warehouse_rows(
            Path(slow.database_path)
        ), step.__name__
        assert_holds_its_lake(Path(fast.database_path))
        patched.append(fast.patched)
    assert patched == [False] + [True] * (len(STEPS) - 1)


def test_runs_report_what_changed(tmp_path: Path) -> None:
    source = tmp_path / "source"
    shutil.copytree(FIXTURES / "corpus", source)
    warehouse = tmp_path / "wh"
    for step in (nothing, nothing, add_and_edit):
        step(source)
        summary = quicktakes_etl(source=str(source), warehouse=str(warehouse))
    with duckdb.connect(summary.database_path, read_only=True) as con:
        runs = con.execute(
            "select load_mode, warehouse_build, files_changed_count from etl.runs "
            "order by started_at"
        ).fetchall()
        changed = con.execute(
            "select source_path from etl.source_files where last_changed_run_id = $run order by 1",
            {"run": summary.run_id},
        ).fetchall()
    assert runs == [
        ("full", "whole", 9),
        ("incremental", "patched", 0),
        ("incremental", "patched", 2),
    ]
    assert changed == [("learn/biology/new.md",), (OSMOSIS,)]


def test_mass_deletion_stops_before_changing_anything(tmp_path: Path) -> None:
    source = tmp_path / "source"
    shutil.copytree(FIXTURES / "corpus", source)
    warehouse = tmp_path / "wh"
    first = quicktakes_etl(source=str(source), warehouse=str(warehouse))
    before = warehouse_rows(Path(first.database_path))
    shutil.rmtree(source / "learn" / "biology")
    shutil.rmtree(source / "learn" / "psychology")
    with pytest.raises(MassDeletion, match="would remove 2 of 3 articles"):
        quicktakes_etl(source=str(source), warehouse=str(warehouse))
    assert warehouse_rows(Path(first.database_path)) == before
    allowed = quicktakes_etl(source=str(source), warehouse=str(warehouse), allow_mass_delete=True)
    assert allowed.counts["articles"] == 1


def test_a_changed_parser_parses_every_file_again(tmp_path: Path) -> None:
    source = tmp_path / "source"
    shutil.copytree(FIXTURES / "corpus", source)
    warehouse = tmp_path / "wh"
    quicktakes_etl(source=str(source), warehouse=str(warehouse))
    runs = next((warehouse / "lake" / "etl" / "runs").glob("*.parquet"))
    table = pq.read_table(runs)
    stale_parser = pa.array(["older-parser"] * table.num_rows, pa.string())
    position = table.schema.get_field_index("parser_version")
    pq.write_table(table.set_column(position, table.schema.field(position), stale_parser), runs)
    summary = quicktakes_etl(source=str(source), warehouse=str(warehouse))
    with duckdb.connect(summary.database_path, read_only=True) as con:
        assert con.execute(
            "select load_mode from etl.runs where run_id = $run", {"run": summary.run_id}
        ).fetchall() == [("full",)]


def test_lake_from_before_the_manifest_columns_still_loads(tmp_path: Path) -> None:
    source = tmp_path / "source"
    shutil.copytree(FIXTURES / "corpus", source)
    warehouse = tmp_path / "wh"
    first = quicktakes_etl(source=str(source), warehouse=str(warehouse))
    before = warehouse_rows(Path(first.database_path))
    for table, dropped in (
        ("etl/runs", ["files_changed_count", "load_mode", "parser_version", "warehouse_build"]),
        ("etl/source_files", ["mtime_ns", "first_seen_run_id", "last_changed_run_id"]),
    ):
        for part in (warehouse / "lake" / table).glob("*.parquet"):
            pq.write_table(pq.read_table(part).drop_columns(dropped), part)
    second = quicktakes_etl(source=str(source), warehouse=str(warehouse))
    assert warehouse_rows(Path(second.database_path)) == before


def test_a_run_with_nothing_changed_publishes_nothing_and_is_recorded(tmp_path: Path) -> None:
    source = tmp_path / "source"
    shutil.copytree(FIXTURES / "corpus", source)
    shutil.rmtree(source / "learn" / "broken")
    warehouse = tmp_path / "wh"
    first = quicktakes_etl(source=str(source), warehouse=str(warehouse))
    database = Path(first.database_path)
    published = (
        database.stat().st_ino,
        database.stat().st_mtime_ns,
        (warehouse / "lake").resolve(),
    )
    quiet = quicktakes_etl(source=str(source), warehouse=str(warehouse))
    assert not quiet.published
    assert (
        database.stat().st_ino,
        database.stat().st_mtime_ns,
        (warehouse / "lake").resolve(),
    ) == published
    assert quiet.counts == first.counts
    assert [c.name for c in quiet.checks] == [c.name for c in first.checks]
    add_and_edit(source)
    changed = quicktakes_etl(source=str(source), warehouse=str(warehouse))
    assert changed.published
    with duckdb.connect(changed.database_path, read_only=True) as con:
        runs = con.execute(
            "select run_id, load_mode, warehouse_build, files_changed_count, files_seen_count, "
            "article_count from etl.runs order by started_at"
        ).fetchall()
    seen = first.counts["etl.source_files"]
    assert runs == [
        (first.run_id, "full", "whole", seen, seen, first.counts["articles"]),
        (quiet.run_id, "incremental", "unchanged", 0, seen, first.counts["articles"]),
        (changed.run_id, "incremental", "patched", 2, seen + 1, changed.counts["articles"]),
    ]
