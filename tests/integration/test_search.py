"""Full-text search: the index the merge keeps ranks as DuckDB's fts extension ranks a
fresh index of the same current documents, run after run; the search command and the
analysts' duckdb session use it offline."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from flows.cli import main
from flows.warehouse import install_search_extension, load_search_extension
from tests.conftest import FIXTURES
from tests.integration.state_runs import StateRuns, listing, path_of, rows

QUERIES = [
    "plants sunlight",
    "memory sleep",
    "the spacing effect",
    "Café résumé, naïve!",
    "of the and",
    "second first",
]


def answered(article_id: int, name: str, title: str, answer: str, **fields: object) -> str:
    text = listing(article_id, name=name, title=title, **fields)  # type: ignore[arg-type]
    default = r"Intro.\n\n1. **One**: first.\n2. **Two**: second.\n\nEnd."
    assert default in text
    return text.replace(default, answer)


ARTICLES = {
    path_of(name="plants"): answered(
        1,
        "plants",
        "How do plants make food?",
        r"Plants use **sunlight**.\n\n1. **Light**: leaves catch sunlight.\n2. **Water**: "
        r"roots bring water.",
    ),
    path_of(name="sleep"): answered(
        2, "sleep", "Why do we sleep?", r"Sleep helps memory.\n\n1. **Memory**: it is replayed."
    ),
    path_of(name="spacing"): answered(
        3, "spacing", "What is the spacing effect?", r"Spaced practice beats cramming for memory."
    ),
    path_of(name="cafe"): answered(4, "cafe", "Café culture", r"A résumé of naïve cafés."),
}


def fts_scores(con: duckdb.DuckDBPyConnection, query: str, points: bool) -> dict[object, float]:
    """What fts's own BM25 gives, on an index it builds of the current documents now."""
    if points:
        documents = (
            "select article_id || '/' || point_index as key, heading, body from answer_points"
        )
        fields = "'heading', 'body'"
    else:
        documents = "select article_id as key, title, question, answer_text from articles"
        fields = "'title', 'question', 'answer_text'"
    con.execute(f"create or replace table oracle as {documents}")
    con.execute(f"pragma create_fts_index('oracle', 'key', {fields}, overwrite = 1)")
    scored = con.execute(
        "select key, score from (select key, fts_main_oracle.match_bm25(key, $query) as score "
        "from oracle) where score is not null",
        {"query": query},
    ).fetchall()
    return {key: score for key, score in scored}


def our_scores(con: duckdb.DuckDBPyConnection, query: str, points: bool) -> dict[object, float]:
    ranked = con.execute(
        "select article_id, point_index, score from etl.search_ranked($query, $points)",
        {"query": query, "points": points},
    ).fetchall()
    return {
        (f"{article_id}/{point_index}" if points else article_id): score
        for article_id, point_index, score in ranked
    }


def assert_ranks_as_fts(con: duckdb.DuckDBPyConnection) -> None:
    load_search_extension(con)
    for points in (False, True):
        for query in QUERIES:
            ours, theirs = our_scores(con, query, points), fts_scores(con, query, points)
            assert ours.keys() == theirs.keys(), (query, points)
            for key, score in theirs.items():
                assert ours[key] == pytest.approx(score, rel=1e-12), (query, key)


def test_the_index_ranks_as_fts_ranks_the_current_documents(runs: StateRuns) -> None:
    runs.run(ARTICLES)
    assert our_scores(runs.con, "plants sunlight", points=False)
    assert_ranks_as_fts(runs.con)
    runs.run(
        {
            path_of(name="sleep"): answered(
                2, "sleep", "Why do we sleep at night?", r"Sleep is rest.\n\n1. **Rest**: deep."
            ),
            path_of("biology", "plants"): ARTICLES[path_of(name="plants")].replace(
                "psychology", "biology"
            ),
        },
        deleted=[path_of(name="cafe")],
    )
    assert_ranks_as_fts(runs.con)
    assert 4 not in our_scores(runs.con, "cafe", points=False)


def test_search_articles_gives_a_snippet_around_the_first_match(runs: StateRuns) -> None:
    runs.run(ARTICLES)
    load_search_extension(runs.con)
    assert rows(
        runs.con, "select article_id, title, snippet from search_articles('replayed memories')"
    ) == [
        (2, "Why do we sleep?", "Sleep helps memory. Memory: it is replayed."),
        (3, "What is the spacing effect?", "Spaced practice beats cramming for memory."),
    ]


@pytest.fixture(scope="module")
def warehouse(prefect_server: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from flows.etl import quicktakes_etl

    target = tmp_path_factory.mktemp("search-warehouse")
    quicktakes_etl(source=str(FIXTURES / "corpus"), warehouse=str(target))
    return target


def test_search_command_ranks_with_scores_in_json(
    warehouse: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    query = ["search", "water diffusion", "--warehouse", str(warehouse), "--format", "json"]
    assert main(query) == 0
    results = json.loads(capsys.readouterr().out)
    assert [(r["article_id"], r["title"]) for r in results] == [
        (502, "What is diffusion?"),
        (501, "What is osmosis?"),
    ]
    assert results[0]["score"] > results[1]["score"] > 0
    assert results[1]["snippet"].startswith("Osmosis moves water across a membrane.")
    assert main([*query, "--subject", "Psychology"]) == 0
    assert json.loads(capsys.readouterr().out) == []


@pytest.fixture
def fresh_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A home with no DuckDB extensions installed, as an analyst's new machine has."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    yield home


def test_the_analysts_duckdb_session_searches_offline(warehouse: Path, fresh_home: Path) -> None:
    session = [
        str(Path(sys.executable).parent / "duckdb"),
        "-readonly",
        "-csv",
        "-noheader",
        str(warehouse / "quicktakes.duckdb"),
        "-c",
        "select article_id from search_articles('diffusion') order by article_id",
    ]
    environment = {**os.environ, "HOME": str(fresh_home)}
    before = subprocess.run(session, capture_output=True, text=True, env=environment, check=False)
    assert before.returncode != 0 and "fts" in before.stderr
    install_search_extension()
    after = subprocess.run(session, capture_output=True, text=True, env=environment, check=True)
    assert after.stdout.split() == ["502"]


def test_search_quality_asks_one_query_per_described_article(warehouse: Path) -> None:
    from flows.search_quality import evaluate

    database = warehouse / "quicktakes.duckdb"
    with duckdb.connect(str(database), read_only=True) as con:
        described = con.execute(
            "select count(*) from articles where seo_page_description is not null"
        ).fetchone()
    measured = evaluate(database, queries=100)
    assert [(q.method, q.queries) for q in measured] == [
        ("search", described[0] if described else 0),
        ("ILIKE", described[0] if described else 0),
    ]
