"""The data dictionary: every relation and column of a warehouse of the sample corpus,
profiled, and the page as a real headless Chromium shows it."""

from __future__ import annotations

import html
from pathlib import Path

import duckdb
import pytest

from flows.analyst_file import NotAWarehouse
from flows.docs import DocsSummary, RelationDoc, document_warehouse, value_kind, write_docs
from flows.docs_diagram import Edge, find_edges
from tests.browser import (
    external_references,
    file_url,
    is_local_url,
    open_page,
    require_chromium,
    sample_warehouse,
    script_sizes,
)

PAGE_STATE = """({
    relations: Array.from(document.querySelectorAll('section.relation')).map(s => s.id),
    column_rows: document.querySelectorAll('section.relation tbody tr').length,
    nodes: Array.from(document.querySelectorAll('svg.data-model g.node'))
        .map(g => g.dataset.relation),
    edges: Array.from(document.querySelectorAll('svg.data-model path.edge'))
        .map(p => [p.dataset.from, p.dataset.to]),
    diagram_width: document.querySelector('svg.data-model').getBoundingClientRect().width,
    broken_anchors: Array.from(document.querySelectorAll('a[href^="#"]'))
        .map(a => a.getAttribute('href').slice(1))
        .filter(id => !document.getElementById(id)),
})"""
"""What the browser shows of the page: its relation sections, column rows, the diagram's
boxes and edges as laid out, and in-page links whose target is missing."""


@pytest.fixture(scope="module")
def database(prefect_server: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return sample_warehouse(tmp_path_factory.mktemp("docs-warehouse"))


@pytest.fixture(scope="module")
def docs(database: Path, tmp_path_factory: pytest.TempPathFactory) -> DocsSummary:
    return write_docs(database, tmp_path_factory.mktemp("docs"))


@pytest.fixture(scope="module")
def relations(database: Path) -> list[RelationDoc]:
    with duckdb.connect(str(database), read_only=True) as con:
        return document_warehouse(con)[0]


def catalog(database: Path) -> tuple[list[str], int]:
    """Every table and view (schema.name), and how many columns they have in all."""
    with duckdb.connect(str(database), read_only=True) as con:
        names = con.execute(
            "select schema_name || '.' || table_name from duckdb_tables() union all "
            "select schema_name || '.' || view_name from duckdb_views() where not internal"
        ).fetchall()
        (columns,) = con.execute(
            "select count(*) from duckdb_columns() where not internal"
        ).fetchall()
    return sorted(name for (name,) in names), columns[0]


@pytest.mark.slow
def test_the_page_shows_every_relation_and_column_in_chromium(
    docs: DocsSummary, database: Path
) -> None:
    require_chromium()
    report = open_page(file_url(docs.index_path), PAGE_STATE)
    names, column_count = catalog(database)
    state = report.value
    assert report.errors == []
    assert [url for url in report.requested_urls if not is_local_url(url)] == []
    assert sorted(state["relations"]) == names
    assert state["column_rows"] == column_count == docs.column_count
    assert docs.table_count + docs.view_count == len(names)
    assert {"main.articles", "main.article_listings", "etl.runs"} <= set(state["nodes"])
    assert ["main.answer_points", "main.articles"] in state["edges"]
    assert ["etl.file_events", "etl.runs"] in state["edges"]
    assert state["diagram_width"] > 0
    assert state["broken_anchors"] == []


@pytest.mark.slow
def test_the_page_is_self_contained_and_shows_each_views_sql(
    docs: DocsSummary, database: Path
) -> None:
    page = docs.index_path.read_text(encoding="utf-8")
    assert external_references(page) == []
    assert script_sizes(page) == []
    with duckdb.connect(str(database), read_only=True) as con:
        views = con.execute("select sql from duckdb_views() where not internal").fetchall()
    assert views
    for (sql,) in views:
        assert html.escape(sql.strip()) in page
    assert 1 <= len(docs.render().splitlines()) <= 3


@pytest.mark.slow
def test_profiles_match_the_data(relations: list[RelationDoc], database: Path) -> None:
    (articles,) = [r for r in relations if r.anchor == "main.articles"]
    columns = {column.name: column for column in articles.columns}
    with duckdb.connect(str(database), read_only=True) as con:
        row = con.execute(
            "select count(*), min(article_id)::varchar, max(article_id)::varchar, "
            "min(published_date)::varchar, max(published_date)::varchar, "
            "count(distinct subject), list(distinct subject) from articles"
        ).fetchone()
    assert row is not None
    count, low_id, high_id, first_date, last_date, subject_count, subjects = row
    assert articles.row_count == count
    assert articles.kind == "view" and articles.sql and articles.comment
    assert columns["article_id"].null_share == 0
    assert columns["article_id"].value_range == (low_id, high_id)
    assert columns["published_date"].value_range == (first_date, last_date)
    assert columns["subject"].distinct_count == subject_count
    assert set(columns["subject"].top_values) <= set(subjects)
    assert len(columns["subject"].top_values) == min(3, subject_count)
    assert all(column.comment for column in articles.columns)


def test_edges_follow_the_key_naming_rule() -> None:
    relations = [
        ("main", "articles", ["article_id", "subject_slug"]),
        ("main", "subjects", ["subject_slug", "subject"]),
        ("main", "related_articles", ["article_id", "related_article_id", "rank"]),
        ("etl", "file_events", ["run_id", "source_path"]),
        ("etl", "derivations", ["parser_version"]),
    ]
    blue, purple = "#2563eb", "#9333ea"
    assert find_edges(relations) == [
        Edge("main.related_articles", "article_id", "main.articles", "article_id", blue),
        Edge("main.related_articles", "related_article_id", "main.articles", "article_id", blue),
        Edge("main.articles", "subject_slug", "main.subjects", "subject_slug", purple),
    ]


@pytest.mark.parametrize(
    ("data_type", "kind"),
    [
        ("BIGINT", "number"),
        ("DECIMAL(18,3)", "number"),
        ("DOUBLE", "number"),
        ("DATE", "time"),
        ("TIMESTAMP WITH TIME ZONE", "time"),
        ("VARCHAR", "text"),
        ("BOOLEAN", "text"),
        ("JSON", "text"),
        ("VARCHAR[]", "other"),
        ("STRUCT(a INTEGER)", "other"),
    ],
    ids=lambda value: str(value),
)
def test_value_kinds(data_type: str, kind: str) -> None:
    assert value_kind(data_type) == kind


def test_every_type_profiles_in_one_query(tmp_path: Path) -> None:
    """A table of each kind of column, nulls and an empty table included."""
    database = tmp_path / "kinds.duckdb"
    with duckdb.connect(str(database)) as con:
        con.execute("create schema etl")
        con.execute("create table etl.runs (run_id varchar)")
        con.execute("create table empty (n integer)")
        con.execute(
            "create table articles as select * from (values "
            "(1, date '2024-01-02', 'a', true, ['x'], {'k': 1}, '{}'::json), "
            "(2, null, 'a', null, null, null, null)) "
            "t(article_id, published_date, subject, is_no_index, tags, extra, raw)"
        )
    with duckdb.connect(str(database), read_only=True) as con:
        relations, _ = document_warehouse(con)
    by_name = {r.anchor: r for r in relations}
    assert by_name["main.empty"].row_count == 0
    assert by_name["main.empty"].columns[0].null_share is None
    columns = {c.name: c for c in by_name["main.articles"].columns}
    assert columns["article_id"].value_range == ("1", "2")
    assert columns["published_date"].null_share == 0.5
    assert columns["published_date"].value_range == ("2024-01-02", "2024-01-02")
    assert columns["subject"].top_values == ("a",)
    assert columns["is_no_index"].top_values == ("true",)
    assert columns["tags"].distinct_count == 1 and columns["tags"].top_values == ()
    assert columns["extra"].null_share == 0.5


def test_a_file_that_is_not_a_warehouse_is_refused(tmp_path: Path) -> None:
    with pytest.raises(NotAWarehouse, match=r"^no warehouse at "):
        write_docs(tmp_path / "nope.duckdb", tmp_path / "docs")
    duckdb.connect(str(tmp_path / "other.duckdb")).close()
    with pytest.raises(NotAWarehouse, match="is not a quicktakes warehouse: it has no"):
        write_docs(tmp_path / "other.duckdb", tmp_path / "docs")
    assert not (tmp_path / "docs").exists()
