"""The whole flow on the hand-written fixture corpus, under a real Prefect test server."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest

from flows.etl import quicktakes_etl
from flows.storage import EmptySource
from tests.conftest import FIXTURES, assert_rebuilds_the_same, warehouse_rows

CORPUS = FIXTURES / "corpus"
pytestmark = pytest.mark.usefixtures("prefect_server")


def rows(database: Path, query: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(query).fetchall()


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
    assert rows(
        loaded, "select source_path, rank, link_status, resolved_article_id from page_related_links"
    ) == [
        ("learn/biology/what-is-osmosis.md", 1, "ok", 502),
        ("learn/biology/what-is-osmosis.md", 2, "dead", None),
    ]


def test_text_with_sql_metacharacters_is_kept_verbatim(loaded: Path) -> None:
    assert rows(loaded, "select extra->>'reviewed_by' from articles where article_id = 503") == [
        ("Robert'); DROP TABLE articles;--",)
    ]


def test_the_lake_alone_rebuilds_the_warehouse(loaded: Path, tmp_path: Path) -> None:
    assert_rebuilds_the_same(loaded.parent, tmp_path)
    assert not any((loaded.parent / ".work").iterdir())
    assert not (loaded.parent / "lake" / ".pending").exists() or not any(
        (loaded.parent / "lake" / ".pending").iterdir()
    )


def test_run_is_recorded(loaded: Path) -> None:
    assert rows(
        loaded,
        "select status, files_seen_count, files_loaded_count, files_rejected_count, article_count "
        "from etl.runs",
    ) == [("succeeded", 9, 4, 5, 3)]


def test_second_run_on_same_input_gives_the_same_warehouse(tmp_path: Path) -> None:
    first = quicktakes_etl(source=str(CORPUS), warehouse=str(tmp_path), batch_size=4)
    before = warehouse_rows(Path(first.database_path))
    second = quicktakes_etl(
        source=str(CORPUS), warehouse=str(tmp_path), batch_size=2, full_refresh=True
    )
    assert warehouse_rows(Path(second.database_path)) == before
    assert not second.changed
    assert rows(
        tmp_path / ".state" / "state.duckdb",
        "select load_mode, files_read_count, files_changed_count from etl.runs order by run_no",
    ) == [("full", 9, 9), ("full", 9, 0)]


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
    assert rows(
        database,
        "select count(*) filter (where is_current), count(*) from article_versions "
        "where article_id = 501",
    ) == [(0, 1)]
    assert rows(
        database, "select source_path, event from etl.file_events where event = 'deleted'"
    ) == [("learn/biology/what-is-osmosis.md", "deleted")]


def test_an_empty_source_is_refused_for_a_new_warehouse(tmp_path: Path) -> None:
    """No article file and none held: a wrong folder, so no empty warehouse is published,
    and the refused run is on record in the state."""
    (tmp_path / "empty").mkdir()
    warehouse = tmp_path / "wh"
    with pytest.raises(EmptySource, match=r"no article files \(\*\.md\) under .*empty"):
        quicktakes_etl(source=str(tmp_path / "empty"), warehouse=str(warehouse))
    assert not (warehouse / "quicktakes.duckdb").exists()
    assert rows(
        warehouse / ".state" / "state.duckdb", "select status, error_message from etl.runs"
    ) == [
        (
            "failed",
            f"EmptySource: no article files (*.md) under {tmp_path / 'empty'}: nothing to load",
        )
    ]


def test_the_run_leaves_its_summary_and_counts_as_prefect_artifacts(tmp_path: Path) -> None:
    """What the Prefect UI shows of the run, read back from the server: its state, named
    for the rejected files, and the summary and counts on its Artifacts tab."""
    from uuid import UUID

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    summary = quicktakes_etl(source=str(CORPUS), warehouse=str(tmp_path))
    with get_client(sync_client=True) as client:
        state = client.read_flow_run(UUID(summary.run_id)).state
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(
                flow_run_id=ArtifactFilterFlowRunId(any_=[UUID(summary.run_id)])
            )
        )
    assert state is not None
    assert (state.type.value, state.name) == ("COMPLETED", "Completed (5 rejected)")
    by_key = {artifact.key: artifact for artifact in artifacts}
    assert sorted(by_key) == ["quicktakes-etl-counts", "quicktakes-etl-summary"]
    markdown = str(by_key["quicktakes-etl-summary"].data)
    assert summary.render() in markdown
    assert "| `learn/broken/notes.md` | no_frontmatter |" in markdown
    counts = by_key["quicktakes-etl-counts"].data
    assert isinstance(counts, str)
    assert {"table": "articles", "rows": 3} in json.loads(counts)


def test_summary_names_the_warehouse_and_the_rejections(loaded: Path, tmp_path: Path) -> None:
    summary = quicktakes_etl(source=str(CORPUS), warehouse=str(tmp_path))
    text = summary.render()
    assert str(tmp_path / "quicktakes.duckdb") in text
    assert "5 files" in text and "learn/broken/notes.md: no_frontmatter" in text
    assert "this run   4 files added, 0 changed, 0 deleted, 5 newly rejected" in text
    again = quicktakes_etl(source=str(CORPUS), warehouse=str(tmp_path)).render()
    assert "this run   0 files added, 0 changed, 0 deleted, 0 newly rejected" in again
    assert "rejected   5 files" in again
