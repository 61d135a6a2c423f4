"""Incremental runs equal a full refresh, row for row, over a sequence of corpus states."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from flows.etl import quicktakes_etl
from flows.merge import parser_version
from flows.warehouse import MassDeletion
from tests.conftest import FIXTURES, assert_rebuilds_the_same, render_article, warehouse_rows

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


AS_OF = {
    "articles": "select * exclude (version_valid_from) from {} order by all",
    "article_listings": "select * exclude (version_valid_from) from {} order by all",
    "answer_points": "select * from {} order by all",
}


def rows(database: Path | str, query: str, **parameters: Any) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(query, parameters).fetchall()


def test_replayed_changes_equal_a_full_refresh_after_every_step(tmp_path: Path) -> None:
    """After every step the incrementally kept warehouse equals one that read every file;
    the lake alone rebuilds it; and at the end, the as-of macros give back what the tables
    held after each step."""
    source = tmp_path / "source"
    shutil.copytree(FIXTURES / "corpus", source)
    incremental, full = tmp_path / "incremental", tmp_path / "full"
    held = []
    for step in STEPS:
        step(source)
        fast = quicktakes_etl(source=str(source), warehouse=str(incremental), batch_size=2)
        slow = quicktakes_etl(source=str(source), warehouse=str(full), full_refresh=True)
        assert warehouse_rows(Path(fast.database_path)) == warehouse_rows(
            Path(slow.database_path)
        ), step.__name__
        (source_time,) = rows(
            incremental / ".state" / "state.duckdb",
            "select source_time from etl.runs where run_id = $run",
            run=fast.run_id,
        )[0]
        tables = {t: rows(slow.database_path, q.format(t)) for t, q in AS_OF.items()}
        held.append((step.__name__, source_time, tables))
    assert_rebuilds_the_same(incremental, tmp_path / "scratch")
    for name, source_time, tables in held:
        for table, query in AS_OF.items():
            as_of = rows(fast.database_path, query.format(f"{table}_as_of($at)"), at=source_time)
            assert as_of == tables[table], (name, table)


def test_runs_report_what_changed(tmp_path: Path) -> None:
    source = tmp_path / "source"
    shutil.copytree(FIXTURES / "corpus", source)
    warehouse = tmp_path / "wh"
    for step in (nothing, nothing, add_and_edit, delete_and_break):
        step(source)
        summary = quicktakes_etl(source=str(source), warehouse=str(warehouse))
    assert rows(
        summary.database_path,
        "select load_mode, files_read_count, files_changed_count from etl.runs order by run_no",
    ) == [("full", 9, 9), ("unchanged", 0, 0), ("incremental", 2, 2), ("incremental", 1, 2)]
    assert rows(
        summary.database_path,
        "select source_path, event, old_sha256 is null, new_sha256 is null from etl.file_events "
        "where run_id = $run order by all",
        run=summary.run_id,
    ) == [(DIFFUSION_BIO, "rejected", False, False), (DIFFUSION_PSY, "deleted", False, True)]
    assert rows(
        summary.database_path,
        "select articles_added, articles_changed, articles_deleted, pages_added, pages_changed, "
        "pages_deleted, files_rejected from reports.changes_by_run order by run_no",
    ) == [
        (3, 0, 0, 4, 0, 0, 5),
        (0, 0, 0, 0, 0, 0, 0),
        (1, 1, 0, 1, 1, 0, 0),
        (0, 0, 0, 0, 0, 1, 1),
    ]


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


def test_a_changed_parser_derives_every_version_again_from_the_raw_bytes(tmp_path: Path) -> None:
    """The lake's parsed rows of a run another parser made are not used: its raw bytes are
    parsed again (here the parsed title was tampered with, and the run puts it right)."""
    source = tmp_path / "source"
    shutil.copytree(FIXTURES / "corpus", source)
    warehouse = tmp_path / "wh"
    first = quicktakes_etl(source=str(source), warehouse=str(warehouse))
    before = warehouse_rows(Path(first.database_path))
    (partition,) = (warehouse / "lake" / "runs").iterdir()
    parts = sorted((partition / "pages").glob("*.parquet"))
    assert parts
    for part in parts:
        pages = pq.read_table(part)
        title = pages.schema.get_field_index("title")
        tampered = pc.binary_join_element_wise(pages["title"], "(tampered)", "")
        pq.write_table(pages.set_column(title, pages.schema.field(title), tampered), part)
    runs = partition / "etl.runs" / "run.parquet"
    table = pq.read_table(runs)
    position = table.schema.get_field_index("parser_version")
    older = pc.binary_join_element_wise(table["parser_version"], "-older", "")
    pq.write_table(table.set_column(position, table.schema.field(position), older), runs)
    with duckdb.connect(str(warehouse / ".state" / "state.duckdb")) as con:
        con.execute("update etl.derivations set parser_version = 'older'")
    second = quicktakes_etl(source=str(source), warehouse=str(warehouse))
    assert warehouse_rows(Path(second.database_path)) == before
    assert rows(second.database_path, "select parser_version from etl.derivations") == [
        (parser_version(),)
    ]


def test_a_run_with_nothing_changed_keeps_the_rows_and_publishes_its_record(
    tmp_path: Path,
) -> None:
    source = tmp_path / "source"
    shutil.copytree(FIXTURES / "corpus", source)
    warehouse = tmp_path / "wh"
    first = quicktakes_etl(source=str(source), warehouse=str(warehouse))
    database = Path(first.database_path)
    published = warehouse_rows(database)
    quiet = quicktakes_etl(source=str(source), warehouse=str(warehouse))
    assert not quiet.changed
    assert warehouse_rows(database) == published
    assert quiet.counts == first.counts
    assert rows(database, "select run_id, load_mode from etl.runs order by run_no") == [
        (first.run_id, "full"),
        (quiet.run_id, "unchanged"),
    ]
    add_and_edit(source)
    changed = quicktakes_etl(source=str(source), warehouse=str(warehouse))
    assert changed.changed
    seen = first.counts["etl.source_files"]
    assert rows(
        changed.database_path,
        "select run_id, load_mode, files_changed_count, files_seen_count, article_count "
        "from etl.runs order by run_no",
    ) == [
        (first.run_id, "full", seen, seen, first.counts["articles"]),
        (quiet.run_id, "unchanged", 0, seen, first.counts["articles"]),
        (changed.run_id, "incremental", 2, seen + 1, changed.counts["articles"]),
    ]
