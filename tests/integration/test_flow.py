"""The whole flow on the hand-written fixture corpus, under a real Prefect test server."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq
import pytest

from flows.etl import quicktakes_etl
from flows.warehouse import lake_path
from tests.conftest import FIXTURES
from transforms import schemas

CORPUS = FIXTURES / "corpus"
pytestmark = pytest.mark.usefixtures("prefect_server")


def rows(database: Path, query: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(query).fetchall()


def snapshot(database: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows in a stable order; etl.runs is history and differs per run."""
    return {
        table: rows(database, f"select * from {table} order by all") for table in schemas.TABLES
    }


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    warehouse = tmp_path_factory.mktemp("warehouse")
    quicktakes_etl(source=str(CORPUS), warehouse=str(warehouse), batch_size=3, workers=2)
    return warehouse / "quicktakes.duckdb"


def test_every_file_is_accounted_for(loaded: Path) -> None:
    assert rows(
        loaded, "select source_path, status, article_id from etl.source_files order by 1"
    ) == [
        ("learn/biology/what-is-diffusion.md", "loaded", 502),
        ("learn/biology/what-is-osmosis.md", "loaded", 501),
        ("learn/broken/latin1.md", "rejected", None),
        ("learn/broken/missing-id.md", "rejected", None),
        ("learn/broken/notes.md", "rejected", None),
        ("learn/broken/unterminated.md", "rejected", None),
        ("learn/broken/yaml-error.md", "rejected", None),
        ("learn/computer-science/how-do-you-sort-a-list.md", "loaded", 503),
        ("learn/psychology/what-is-diffusion.md", "loaded", 502),
    ]
    assert rows(
        loaded, "select source_path, error_kind, error_line from etl.rejected_files order by 1"
    ) == [
        ("learn/broken/latin1.md", "not_utf8", 3),
        ("learn/broken/missing-id.md", "missing_field", None),
        ("learn/broken/notes.md", "no_frontmatter", 1),
        ("learn/broken/unterminated.md", "unterminated_frontmatter", 1),
        ("learn/broken/yaml-error.md", "yaml_error", 4),
    ]


def test_articles_take_the_first_listing_and_canonical_subject(loaded: Path) -> None:
    query = """
        select article_id, subject, subject_slug, source_path, point_count, keyword_count,
               related_count, is_no_index, score
        from articles order by article_id
    """
    assert rows(loaded, query) == [
        (501, "Biology", "biology", "learn/biology/what-is-osmosis.md", 2, 4, 2, False, 1.5),
        (502, "Biology", "biology", "learn/biology/what-is-diffusion.md", 0, 2, 0, True, None),
        (
            503,
            "Computer Science",
            "computer-science",
            "learn/computer-science/how-do-you-sort-a-list.md",
            2,
            2,
            0,
            False,
            None,
        ),
    ]
    assert rows(loaded, "select * from subjects order by 1") == [
        ("biology", "Biology", 2),
        ("computer-science", "Computer Science", 1),
        ("psychology", "Psychology", 1),
    ]
    assert rows(
        loaded, "select source_path, subject, subject_as_written from article_listings order by 1"
    ) == [
        ("learn/biology/what-is-diffusion.md", "Biology", "biology"),
        ("learn/biology/what-is-osmosis.md", "Biology", "Biology"),
        (
            "learn/computer-science/how-do-you-sort-a-list.md",
            "Computer Science",
            "Computer Science",
        ),
        ("learn/psychology/what-is-diffusion.md", "Psychology", "Psychology"),
    ]


def test_points_keywords_and_related_rows(loaded: Path) -> None:
    assert rows(loaded, "select * from answer_points order by all") == [
        (
            501,
            1,
            1,
            "Key Ideas",
            "Direction",
            "Water moves toward the higher solute concentration.",
        ),
        (501, 2, 2, "Key Ideas", "Membrane", "Only water passes freely."),
        (503, 1, 1, None, "sorted()", "returns a new list.\n\n```python\n1. not a point\n```"),
        (503, 2, 2, None, "list.sort()", "sorts in place --- and returns None."),
    ]
    assert rows(
        loaded, "select article_id, position, keyword from article_keywords order by all"
    ) == [
        (501, 1, "osmosis"),
        (501, 2, "water"),
        (501, 3, "Membrane"),
        (501, 4, "diffusion"),
        (502, 1, "diffusion"),
        (502, 2, "concentration gradient"),
        (503, 1, "sorting"),
        (503, 2, "python"),
    ]
    assert rows(
        loaded, "select article_id, rank, related_article_id from reports.broken_related_links"
    ) == [(501, 2, 999)]


def test_text_with_sql_metacharacters_is_kept_verbatim(loaded: Path) -> None:
    assert rows(loaded, "select extra->>'reviewed_by' from articles where article_id = 503") == [
        ("Robert'); DROP TABLE articles;--",)
    ]


def test_lake_holds_the_same_rows_as_the_warehouse(loaded: Path) -> None:
    lake = loaded.parent / "lake"
    for table, schema in schemas.TABLES.items():
        dataset = pq.read_table(lake_path(lake, table))
        assert dataset.schema.equals(schema), table
        assert dataset.num_rows == rows(loaded, f"select count(*) from {table}")[0][0], table
    assert not (loaded.parent / ".work").exists() or not any((loaded.parent / ".work").iterdir())


def test_run_is_recorded(loaded: Path) -> None:
    assert rows(
        loaded,
        "select status, files_seen_count, files_loaded_count, files_rejected_count, article_count "
        "from etl.runs",
    ) == [("succeeded", 9, 4, 5, 3)]


def test_second_run_on_same_input_gives_the_same_warehouse(tmp_path: Path) -> None:
    first = quicktakes_etl(source=str(CORPUS), warehouse=str(tmp_path), batch_size=4)
    before = snapshot(Path(first.database_path))
    second = quicktakes_etl(source=str(CORPUS), warehouse=str(tmp_path), batch_size=2)
    assert snapshot(Path(second.database_path)) == before
    assert rows(Path(second.database_path), "select count(*) from etl.runs") == [(2,)]


def test_removed_file_disappears_on_the_next_run(tmp_path: Path) -> None:
    source = tmp_path / "source"
    shutil.copytree(CORPUS, source)
    warehouse = tmp_path / "warehouse"
    quicktakes_etl(source=str(source), warehouse=str(warehouse))
    (source / "learn" / "biology" / "what-is-osmosis.md").unlink()
    summary = quicktakes_etl(source=str(source), warehouse=str(warehouse))
    database = Path(summary.database_path)
    assert rows(database, "select article_id from articles order by 1") == [(502,), (503,)]
    assert rows(database, "select count(*) from answer_points where article_id = 501") == [(0,)]


def test_empty_source_loads_an_empty_warehouse(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    summary = quicktakes_etl(source=str(tmp_path / "empty"), warehouse=str(tmp_path / "wh"))
    assert summary.counts == dict.fromkeys(schemas.TABLES, 0)
    assert all(check.passed for check in summary.checks)


def test_summary_names_the_warehouse_and_the_rejections(loaded: Path, tmp_path: Path) -> None:
    summary = quicktakes_etl(source=str(CORPUS), warehouse=str(tmp_path))
    text = summary.render()
    assert str(tmp_path / "quicktakes.duckdb") in text
    assert "5 files" in text and "learn/broken/notes.md: no_frontmatter" in text
