"""Every sql/ file on a real DuckDB: the schema contract, checks and reports on small rows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from flows.sqlfiles import check_severity, read_sql_files
from flows.warehouse import (
    apply_ddl,
    in_transaction,
    lake_path,
    load_lake,
    register_discovered_files,
    run_checks,
)
from transforms import schemas

DUCKDB_TYPES = {
    pa.int64(): "BIGINT",
    pa.int32(): "INTEGER",
    pa.string(): "VARCHAR",
    pa.date32(): "DATE",
    pa.float64(): "DOUBLE",
    pa.bool_(): "BOOLEAN",
    pa.timestamp("us", tz="UTC"): "TIMESTAMP WITH TIME ZONE",
}
JSON_COLUMNS = {"extra", "sample_rows"}


@pytest.fixture
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect(str(tmp_path / "test.duckdb")) as connection:
        apply_ddl(connection)
        register_discovered_files(connection, [])
        yield connection


def insert(con: duckdb.DuckDBPyConnection, table: str, *records: dict[str, Any]) -> None:
    """Insert rows given by column; columns left out take the schema's neutral value."""
    schema = schemas.TABLES[table]
    defaults = {pa.int64(): 0, pa.int32(): 0, pa.string(): "", pa.bool_(): False}
    columns = {
        field.name: [r.get(field.name, defaults.get(field.type)) for r in records]
        for field in schema
    }
    if "extra" in columns:
        columns["extra"] = [value or "{}" for value in columns["extra"]]
    arrow = pa.Table.from_pydict(columns, schema=schema)
    con.register("incoming", arrow)
    con.execute(f"insert into {table} select * from incoming")
    con.unregister("incoming")


def failures(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return {check.name: check.failing_row_count for check in run_checks(con) if not check.passed}


def test_ddl_matches_the_pyarrow_schemas(con: duckdb.DuckDBPyConnection) -> None:
    for table, schema in {**schemas.TABLES, **schemas.HISTORY_TABLES}.items():
        schema_name, _, name = table.rpartition(".")
        declared = con.execute(
            "select column_name, data_type from duckdb_columns() "
            "where schema_name = $schema and table_name = $table order by column_index",
            {"schema": schema_name or "main", "table": name},
        ).fetchall()
        expected = [
            (f.name, "JSON" if f.name in JSON_COLUMNS else DUCKDB_TYPES[f.type]) for f in schema
        ]
        assert declared == expected, table


def test_every_table_and_column_has_a_comment(con: duckdb.DuckDBPyConnection) -> None:
    missing_columns = con.execute(
        "select schema_name || '.' || table_name || '.' || column_name from duckdb_columns() "
        "where not internal and database_name = current_database() "
        "and schema_name in ('main', 'etl') and (comment is null or comment = '')"
    ).fetchall()
    missing_tables = con.execute(
        "select schema_name || '.' || table_name from duckdb_tables() "
        "where database_name = current_database() and schema_name in ('main', 'etl') "
        "and (comment is null or comment = '')"
    ).fetchall()
    missing_views = con.execute(
        "select view_name from duckdb_views() where schema_name = 'reports' "
        "and (comment is null or comment = '')"
    ).fetchall()
    assert (missing_columns, missing_tables, missing_views) == ([], [], [])


def test_ddl_is_repeatable(con: duckdb.DuckDBPyConnection) -> None:
    apply_ddl(con)
    apply_ddl(con)


def test_loads_run_on_an_empty_lake(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    for table, schema in schemas.TABLES.items():
        directory = lake_path(tmp_path / "lake", table)
        directory.mkdir(parents=True)
        pq.write_table(schema.empty_table(), directory / "part-00000.parquet")
    threads = con.execute("select current_setting('threads')").fetchone()
    load_lake(con, tmp_path / "lake")
    assert con.execute("select current_setting('threads')").fetchone() == threads
    assert {t: con.execute(f"select count(*) from {t}").fetchone() for t in schemas.TABLES} == {
        t: (0,) for t in schemas.TABLES
    }


@pytest.mark.parametrize("sql_file", read_sql_files("checks"), ids=lambda f: f.name)
def test_checks_pass_on_an_empty_warehouse(con: duckdb.DuckDBPyConnection, sql_file: Any) -> None:
    assert check_severity(sql_file.text) in ("error", "warn")
    assert con.execute(sql_file.text).fetchall() == []


@pytest.mark.parametrize("sql_file", read_sql_files("reports"), ids=lambda f: f.name)
def test_reports_run_on_an_empty_warehouse(con: duckdb.DuckDBPyConnection, sql_file: Any) -> None:
    assert con.execute(f"select * from reports.{sql_file.name}").fetchall() == []


def load_one_good_article(con: duckdb.DuckDBPyConnection) -> None:
    register_discovered_files(con, ["a.md"])
    insert(con, "etl.source_files", {"source_path": "a.md", "status": "loaded", "article_id": 1})
    insert(con, "article_listings", {"source_path": "a.md", "article_id": 1})
    insert(con, "articles", {"article_id": 1, "source_path": "a.md", "point_count": 2})
    insert(
        con,
        "answer_points",
        {"article_id": 1, "point_index": 1},
        {"article_id": 1, "point_index": 2},
    )


def test_consistent_rows_pass_every_check(con: duckdb.DuckDBPyConnection) -> None:
    load_one_good_article(con)
    assert failures(con) == {}


@pytest.mark.parametrize(
    ("corrupt", "failed"),
    [
        pytest.param(
            "delete from article_listings",
            {"file_accounting": 1, "articles_have_listing": 1},
            id="listing-missing",
        ),
        pytest.param(
            "insert into discovered_files values ('b.md')",
            {"file_accounting": 1},
            id="file-not-accounted",
        ),
        pytest.param(
            "update etl.source_files set status = 'rejected'",
            {"file_accounting": 3},
            id="rejected-without-reason",
        ),
        pytest.param(
            "insert into answer_points (article_id, point_index, list_number, body) "
            "values (2, 1, 1, 'x')",
            {"child_rows_have_article": 1},
            id="orphan-point",
        ),
        pytest.param(
            "update answer_points set point_index = 3 where point_index = 2",
            {"point_index_contiguous": 1},
            id="point-gap",
        ),
        pytest.param(
            "update articles set keyword_count = 5", {"child_counts_match": 1}, id="count-mismatch"
        ),
        pytest.param(
            "insert into articles select * from articles",
            {"primary_keys": 1},
            id="duplicate-article",
        ),
        pytest.param(
            "insert into answer_points select * from answer_points where point_index = 1",
            {"primary_keys": 1, "point_index_contiguous": 1, "child_counts_match": 1},
            id="duplicate-point",
        ),
        pytest.param(
            "insert into etl.source_files select * from etl.source_files",
            {"primary_keys": 1, "file_accounting": 1},
            id="duplicate-manifest-row",
        ),
    ],
)
def test_checks_catch_corruption(
    con: duckdb.DuckDBPyConnection, corrupt: str, failed: dict[str, int]
) -> None:
    load_one_good_article(con)
    con.execute(corrupt)
    assert failures(con) == failed


def test_top_keywords_counts_case_insensitively(con: duckdb.DuckDBPyConnection) -> None:
    insert(
        con,
        "article_keywords",
        {"article_id": 1, "position": 1, "keyword": "Memory", "keyword_normalized": "memory"},
        {"article_id": 2, "position": 1, "keyword": "memory", "keyword_normalized": "memory"},
        {"article_id": 3, "position": 1, "keyword": "memory", "keyword_normalized": "memory"},
        {"article_id": 3, "position": 2, "keyword": "Sleep", "keyword_normalized": "sleep"},
    )
    assert con.execute("select * from reports.top_keywords").fetchall() == [
        (1, "memory", "memory", 3),
        (2, "Sleep", "sleep", 1),
    ]


def test_points_per_article_distribution(con: duckdb.DuckDBPyConnection) -> None:
    insert(
        con,
        "articles",
        {"article_id": 1, "point_count": 0},
        {"article_id": 2, "point_count": 3},
        {"article_id": 3, "point_count": 3},
        {"article_id": 4, "point_count": 5},
    )
    assert con.execute("select * from reports.points_per_article").fetchall() == [
        (0, 1, 25.0, 25.0),
        (3, 2, 50.0, 75.0),
        (5, 1, 25.0, 100.0),
    ]


def test_broken_related_links(con: duckdb.DuckDBPyConnection) -> None:
    insert(con, "articles", {"article_id": 1, "title": "One"}, {"article_id": 2, "title": "Two"})
    insert(
        con,
        "related_articles",
        {"article_id": 1, "rank": 1, "related_article_id": 2, "related_title": "Two"},
        {"article_id": 1, "rank": 2, "related_article_id": 9, "related_title": "Gone"},
        {"article_id": 2, "rank": 1, "related_article_id": None, "related_title": "No id"},
    )
    assert con.execute(
        "select article_id, title, rank, related_article_id, related_title "
        "from reports.broken_related_links"
    ).fetchall() == [(1, "One", 2, 9, "Gone"), (2, "Two", 1, None, "No id")]


def test_subject_summary(con: duckdb.DuckDBPyConnection) -> None:
    insert(con, "subjects", {"subject_slug": "bio", "subject": "Biology", "listing_count": 2})
    insert(con, "articles", {"article_id": 1, "point_count": 2, "keyword_count": 4})
    insert(
        con,
        "article_listings",
        {"source_path": "bio/a.md", "article_id": 1, "subject_slug": "bio"},
        {"source_path": "bio/b.md", "article_id": 1, "subject_slug": "bio"},
    )
    assert con.execute(
        "select subject, subject_slug, listing_count, article_count, avg_point_count "
        "from reports.subject_summary"
    ).fetchall() == [("Biology", "bio", 2, 1, 2.0)]


def test_a_failed_rollback_does_not_hide_the_error(con: duckdb.DuckDBPyConnection) -> None:
    def work() -> None:
        con.execute("rollback")
        raise ValueError("the real error")

    with pytest.raises(ValueError, match="the real error"):
        in_transaction(con, work)
    in_transaction(con, lambda: con.execute("create table t (x integer)"))
    assert con.execute("select count(*) from t").fetchone() == (0,)
