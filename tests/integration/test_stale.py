"""A file that was loaded and turns bad keeps its last good rows until fixed or deleted."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest

from flows.etl import quicktakes_etl
from tests.conftest import CHECK_NAMES, FIXTURES

pytestmark = pytest.mark.usefixtures("prefect_server")

OSMOSIS = "learn/biology/what-is-osmosis.md"
DIFFUSION_BIO = "learn/biology/what-is-diffusion.md"
DIFFUSION_PSY = "learn/psychology/what-is-diffusion.md"
CONTENT_TABLES = ("articles", "answer_points", "article_keywords", "related_articles")


def rows(database: Path, query: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(query).fetchall()


def content(database: Path, article_id: int) -> dict[str, list[tuple[Any, ...]]]:
    return {
        table: rows(database, f"select * from {table} where article_id = {article_id} order by all")
        for table in CONTENT_TABLES
    }


def status(database: Path, path: str) -> list[tuple[Any, ...]]:
    return rows(
        database,
        "select f.status, f.article_id, r.error_kind, l.source_path is not null "
        "from etl.source_files f left join etl.rejected_files r using (source_path) "
        f"left join article_listings l using (source_path) where f.source_path = '{path}'",
    )


@pytest.fixture
def source(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURES / "corpus", tmp_path / "source")
    return tmp_path / "source"


def run(source: Path, warehouse: Path) -> Path:
    return Path(quicktakes_etl(source=str(source), warehouse=str(warehouse)).database_path)


def test_broken_file_keeps_last_good_rows_until_fixed(source: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "wh"
    database = run(source, warehouse)
    good = content(database, 501)
    original = (source / OSMOSIS).read_bytes()

    (source / OSMOSIS).write_bytes(original.replace(b"answer: >-", b"answer: [oops"))
    summary = quicktakes_etl(source=str(source), warehouse=str(warehouse))
    assert status(database, OSMOSIS) == [("stale", 501, "yaml_error", True)]
    assert content(database, 501) == good
    assert summary.files_stale == 1
    assert sorted(check.name for check in summary.checks) == CHECK_NAMES

    run(source, warehouse)
    assert status(database, OSMOSIS) == [("stale", 501, "yaml_error", True)]
    assert content(database, 501) == good

    (source / OSMOSIS).write_bytes(original)
    run(source, warehouse)
    assert status(database, OSMOSIS) == [("loaded", 501, None, True)]
    assert content(database, 501) == good


def test_stale_file_that_is_deleted_goes_away(source: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "wh"
    database = run(source, warehouse)
    (source / OSMOSIS).write_bytes(b"corrupted by an export")
    run(source, warehouse)
    (source / OSMOSIS).unlink()
    run(source, warehouse)
    assert status(database, OSMOSIS) == []
    assert content(database, 501) == {table: [] for table in CONTENT_TABLES}


def test_cross_listed_article_prefers_a_good_listing(source: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "wh"
    database = run(source, warehouse)
    (source / DIFFUSION_BIO).write_bytes(b"---\nid: [\n---\n")
    run(source, warehouse)
    assert status(database, DIFFUSION_BIO) == [("stale", 502, "yaml_error", True)]
    assert rows(database, "select source_path from articles where article_id = 502") == [
        (DIFFUSION_PSY,)
    ]
    (source / DIFFUSION_PSY).write_bytes(b"")
    run(source, warehouse)
    assert status(database, DIFFUSION_PSY) == [("stale", 502, "no_frontmatter", True)]
    assert rows(database, "select source_path, subject from articles where article_id = 502") == [
        (DIFFUSION_BIO, "Biology")
    ]
