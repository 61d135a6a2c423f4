"""Every sql/ file on a real DuckDB state: the schema contract, the plan, the data checks
and the reports, on small inputs merged as runs merge them (see test_merge.py for the
merge itself)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest

from flows.sqlfiles import SqlFile, check_severity, read_sql, read_sql_files
from flows.storage import found_files
from flows.warehouse import SCHEMA_VERSION, apply_schema, in_transaction, run_checks
from tests.integration.state_runs import (
    BROKEN,
    FIRST_RUN_AT,
    NO_ACCESS,
    OTHER_ANSWER,
    SOURCE_ROOT,
    StateRuns,
    commit,
    listing,
    new_state,
    path_of,
    records,
    rows,
    run_id,
    run_mtime_ns,
    run_record,
    run_time,
    state_template,
    url_of,
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
    pa.map_(pa.string(), pa.int32()): "MAP(VARCHAR, INTEGER)",
}
JSON_COLUMNS = {"extra", "sample_rows"}
STATE_TABLE_SCHEMAS = {
    "etl.page_contents": schemas.PAGES,
    "etl.page_content_points": schemas.PAGE_POINTS,
    "etl.page_content_keywords": schemas.PAGE_KEYWORDS,
    "etl.page_content_links": schemas.PAGE_RELATED_LINKS,
    "etl.search_documents": schemas.SEARCH_DOCUMENTS,
    "etl.runs": schemas.RUNS,
    "etl.check_results": schemas.CHECK_RESULTS,
}
"""State tables that hold a lake table's rows as they are."""
SCHEMA_FOLDERS = {"ddl": "table", "views": "view", "macros": "macro", "reports": "view"}


def qualified(folder: str, name: str) -> str:
    if folder == "reports":
        return f"reports.{name}"
    return name if "." in name else f"main.{name}"


def schema_objects(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str]]:
    """The tables, views and macros of the state's own database."""
    return set(
        rows(
            con,
            """
            select 'table', schema_name || '.' || table_name
            from duckdb_tables()
            where database_name = current_database()
            union all
            select 'view', schema_name || '.' || view_name
            from duckdb_views()
            where not internal and database_name = current_database()
            union all
            select 'macro', schema_name || '.' || function_name
            from duckdb_functions()
            where not internal and database_name = current_database()
                and function_type in ('table_macro', 'macro')
            """,
        )
    )


@pytest.fixture
def schema_only() -> Iterator[duckdb.DuckDBPyConnection]:
    """An empty database with the schema applied."""
    with duckdb.connect() as connection:
        apply_schema(connection, FIRST_RUN_AT)
        yield connection


def test_every_table_view_and_macro_in_sql_is_created_on_an_empty_database(
    schema_only: duckdb.DuckDBPyConnection,
) -> None:
    expected = {
        (kind, qualified(folder, sql_file.name))
        for folder, kind in SCHEMA_FOLDERS.items()
        for sql_file in read_sql_files(folder)
        if sql_file.name != "schemas"
    }
    assert schema_objects(schema_only) == expected


def test_every_table_view_and_column_has_a_comment(
    schema_only: duckdb.DuckDBPyConnection,
) -> None:
    missing = rows(
        schema_only,
        """
        select 'table ' || schema_name || '.' || table_name
        from duckdb_tables()
        where database_name = current_database() and coalesce(comment, '') = ''
        union all
        select 'view ' || schema_name || '.' || view_name
        from duckdb_views()
        where not internal and database_name = current_database()
            and coalesce(comment, '') = ''
        union all
        select 'column ' || schema_name || '.' || table_name || '.' || column_name
        from duckdb_columns()
        where not internal and database_name = current_database()
            and coalesce(comment, '') = ''
        order by 1
        """,
    )
    assert missing == []


def test_apply_schema_is_repeatable_and_keeps_the_state(runs: StateRuns) -> None:
    runs.run({path_of(): listing()})
    views = ("articles", "article_listings", "answer_points", "etl.source_files", "etl.runs")
    before = {view: rows(runs.con, f"select * from {view} order by all") for view in views}
    for days in (1, 2):
        apply_schema(runs.con, FIRST_RUN_AT + dt.timedelta(days=days))
    assert {view: rows(runs.con, f"select * from {view} order by all") for view in views} == before
    assert rows(runs.con, "select * from etl.schema_version") == [(SCHEMA_VERSION, FIRST_RUN_AT)]


@pytest.mark.parametrize("table", STATE_TABLE_SCHEMAS, ids=list(STATE_TABLE_SCHEMAS))
def test_state_tables_have_their_lake_tables_columns(
    con: duckdb.DuckDBPyConnection, table: str
) -> None:
    schema_name, name = table.split(".")
    declared = rows(
        con,
        "select column_name, data_type, is_nullable from duckdb_columns() "
        "where schema_name = $schema and table_name = $table order by column_index",
        schema=schema_name,
        table=name,
    )
    assert declared == [
        (f.name, "JSON" if f.name in JSON_COLUMNS else DUCKDB_TYPES[f.type], f.nullable)
        for f in STATE_TABLE_SCHEMAS[table]
    ]


DERIVED_FIELDS = [
    "primary_subject",
    "subject_as_written",
    "published_month",
    "question_word_count",
    "answer_structure",
    "question_normalized",
    "question_hash",
    "description_length",
]
VERSIONED_VIEWS = {
    "articles": ["article_id", "subject", "source_path", "version_valid_from", *DERIVED_FIELDS],
    "article_versions": [
        "article_id",
        "subject",
        "source_path",
        *DERIVED_FIELDS,
        "valid_from",
        "valid_to",
        "is_current",
        "opened_run_id",
        "closed_run_id",
    ],
}
"""Beside the article fields: the key, the canonical subject, the listing the fields come
from, when the version began (and ended), and the columns derived from the fields."""


@pytest.mark.parametrize("view", VERSIONED_VIEWS, ids=list(VERSIONED_VIEWS))
def test_articles_have_every_article_field(con: duckdb.DuckDBPyConnection, view: str) -> None:
    columns = [name for (name,) in rows(con, f"select column_name from (describe {view})")]
    assert sorted(columns) == sorted([*schemas.ARTICLE_FIELDS, *VERSIONED_VIEWS[view]])


@pytest.mark.parametrize("sql_file", read_sql_files("checks"), ids=lambda f: f.name)
def test_checks_pass_after_merging_an_empty_partition(
    con: duckdb.DuckDBPyConnection, tmp_path: Path, sql_file: SqlFile
) -> None:
    commit(con, tmp_path / "empty-partition", run_record(1), [])
    assert check_severity(sql_file.text) in ("error", "warn")
    assert rows(con, sql_file.text) == []


@pytest.mark.parametrize("sql_file", read_sql_files("reports"), ids=lambda f: f.name)
def test_reports_run_on_an_empty_state(con: duckdb.DuckDBPyConnection, sql_file: SqlFile) -> None:
    assert rows(con, f"select * from reports.{sql_file.name}") == []


def plan(
    con: duckdb.DuckDBPyConnection,
    found: list[tuple[str, int | None, int | None]],
    read_all: bool,
    blob_ids: list[str] | None = None,
) -> dict[str, list[tuple[Any, ...]]]:
    paths, sizes, mtimes = (
        (list(column) for column in zip(*found, strict=True)) if found else ([], [], [])
    )
    con.register("discovered", found_files(paths, sizes, mtimes, blob_ids))
    return {
        "files_to_read": rows(con, read_sql("plan", "files_to_read"), read_all=read_all),
        "files_deleted": rows(con, read_sql("plan", "files_deleted")),
    }


def test_plan_reads_every_file_of_an_empty_state(con: duckdb.DuckDBPyConnection) -> None:
    found = [(path_of(name="a"), 10, 1), (path_of(name="b"), None, None)]
    assert plan(con, found, read_all=False) == {
        "files_to_read": [(path_of(name="a"), 1, None), (path_of(name="b"), None, None)],
        "files_deleted": [],
    }


G, R, U, X, N, Y = (path_of(name=name) for name in ("g", "r", "u", "x", "n", "y"))


@pytest.mark.parametrize(
    ("read_all", "to_read"),
    [
        pytest.param(False, [N, U, X], id="incremental"),
        pytest.param(True, [G, N, R, U, X], id="read-all"),
    ],
)
def test_plan_reads_new_changed_and_unreadable_files(
    runs: StateRuns, read_all: bool, to_read: list[str]
) -> None:
    """An unchanged broken file is not read again; one that could not be read is."""
    g, x = listing(1, name="g"), listing(2, name="x")
    runs.run({G: g, R: BROKEN, U: NO_ACCESS, X: x, Y: listing(3, name="y")})
    then = run_mtime_ns(1)
    found = [
        (G, len(g), then),
        (N, 1, then),
        (R, len(BROKEN), then),
        (U, 1, then),
        (X, len(x), then + 1),
    ]
    mtimes = {path: mtime for path, _size, mtime in found}
    assert plan(runs.con, found, read_all) == {
        "files_to_read": [(path, mtimes[path], None) for path in to_read],
        "files_deleted": [(Y,)],
    }


def git_blob_id(raw: bytes) -> str:
    """What ``git hash-object`` gives, computed here as git defines it."""
    return hashlib.sha1(b"blob %d\0" % len(raw) + raw).hexdigest()


def test_a_git_listing_reads_the_files_whose_blob_changed(runs: StateRuns) -> None:
    """Blob ids the merge gave the files a folder run read are git's: a git source after
    a folder reads only what changed, whatever the sizes and times say."""
    g, x = listing(1, name="g"), listing(2, name="x")
    runs.run({G: g, R: BROKEN, X: x})
    blobs = [git_blob_id(g.encode()), git_blob_id(BROKEN.encode()), git_blob_id(b"new bytes")]
    found = [(G, None, None), (R, None, None), (X, None, None)]
    assert plan(runs.con, found, False, blobs)["files_to_read"] == [(X, None, blobs[2])]


def test_a_run_is_recorded_with_the_counts_of_the_state(runs: StateRuns) -> None:
    good, stale, bad = (path_of(name=name) for name in ("good", "stale", "bad"))
    runs.run(
        {
            good: listing(1, name="good"),
            stale: listing(2, name="stale", links=[(1, url_of(name="good"))]),
        }
    )
    runs.run({stale: BROKEN, bad: BROKEN})
    assert records(runs.con, "select * from etl.runs where run_no = 2") == [
        {
            "run_id": run_id(2),
            "run_no": 2,
            "flow_run_name": None,
            "source_time": run_time(2),
            "started_at": run_time(2),
            "finished_at": run_time(2),
            "status": "succeeded",
            "source_root": SOURCE_ROOT,
            "files_seen_count": len([good, stale, bad]),
            "files_read_count": None,
            "files_loaded_count": len([good]),
            "files_rejected_count": len([stale, bad]),
            "files_stale_count": len([stale]),
            "files_changed_count": len([stale, bad]),
            "load_mode": None,
            "parser_version": None,
            "article_count": 2,
            "point_count": 2 + 2,
            "keyword_count": 2 + 2,
            "related_count": 1,
            "error_message": None,
            "source_commit": None,
            "source_commit_time": None,
            "source_commit_subject": None,
        }
    ]
    assert records(runs.con, read_sql("record", "run_counts"), run_id=run_id(2)) == [
        {
            "articles": 2,
            "article_listings": len([good, stale]),
            "answer_points": 2 + 2,
            "article_keywords": 2 + 2,
            "related_articles": 1,
            "subjects": 1,
            "etl.source_files": len([good, stale, bad]),
            "etl.rejected_files": len([stale, bad]),
            "files_stale_count": len([stale]),
            "files_changed_count": len([stale, bad]),
        }
    ]
    assert rows(
        runs.con,
        "select run_id, check_name, severity, failing_row_count, sample_rows "
        "from etl.check_results where run_id = $run_id order by check_name",
        run_id=run_id(2),
    ) == [
        (run_id(2), sql_file.name, check_severity(sql_file.text), 0, "[]")
        for sql_file in read_sql_files("checks")
    ]


def failures(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return {check.name: check.failing_row_count for check in run_checks(con) if not check.passed}


FIRST, SECOND = path_of("biology", "a"), path_of("psychology", "a")
"""Two listings of article 7: the first one by path gives its fields."""


@pytest.fixture(scope="module")
def two_listings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    """A state after one run that read two listings of one article; every check passes."""
    folder = tmp_path_factory.mktemp("state")
    runs = StateRuns(new_state(state_template(tmp_path_factory), folder), folder / "lake")
    runs.run(
        {
            FIRST: listing(7, "biology", "a", links=[(None, "/learn/x")]),
            SECOND: listing(7, "psychology", "a", links=[(None, "/learn/y")]),
        }
    )
    assert failures(runs.con) == {}
    yield runs.con
    runs.con.close()


@pytest.mark.parametrize(
    ("corrupt", "failed"),
    [
        pytest.param(
            "delete from etl.page_content_points where source_path = $first and point_index = 1",
            {"child_counts_match": 1, "point_index_contiguous": 1},
            id="first-point-lost",
        ),
        pytest.param(
            "delete from etl.page_content_points where source_path = $first and point_index = 2",
            {"child_counts_match": 1},
            id="last-point-lost",
        ),
        pytest.param(
            "insert into etl.page_content_points select * from etl.page_content_points "
            "where source_path = $first and point_index = 1",
            {"child_counts_match": 1, "point_index_contiguous": 1, "primary_keys": 1},
            id="point-duplicated",
        ),
        pytest.param(
            "insert into etl.page_content_keywords select * from etl.page_content_keywords "
            "where source_path = $second and position = 1",
            {"primary_keys": 1},
            id="keyword-of-a-later-listing-duplicated",
        ),
        pytest.param(
            "update etl.page_contents set keyword_count = 3 where source_path = $first",
            {"child_counts_match": 1},
            id="count-disagrees",
        ),
        pytest.param(
            "insert into etl.page_spans select * from etl.page_spans where source_path = $second",
            # the etl.page_spans key doubled (the views built on it follow)
            {"primary_keys": 1, "versions_are_consistent": 1},
            id="page-span-duplicated",
        ),
        pytest.param(
            "insert into etl.article_spans select * from etl.article_spans",
            # the etl.article_spans key doubled (the views built on it follow)
            {
                "child_counts_match": 2,
                "point_index_contiguous": 1,
                "primary_keys": 1,
                "versions_are_consistent": 1,
            },
            id="article-span-duplicated",
        ),
        pytest.param(
            "update etl.article_spans set subject = 'Biology!'",
            {"articles_match_their_pages": 2},
            id="article-subject-disagrees",
        ),
        pytest.param(
            "update etl.article_spans as spans "
            "set source_path = contents.source_path, sha256 = contents.sha256, "
            "article_sha256 = contents.article_sha256 "
            "from etl.page_contents as contents where contents.source_path = $second",
            {"articles_match_their_pages": 2},
            id="article-from-a-later-listing",
        ),
        pytest.param(
            "insert into etl.article_spans by name select * replace ("
            "valid_from - interval 1 day as valid_from, valid_from + interval 1 hour as valid_to, "
            "false as is_current) from etl.article_spans",
            {"versions_are_consistent": 1},
            id="article-versions-overlap",
        ),
        pytest.param(
            "update etl.page_spans set is_current = false where source_path = $second",
            {"versions_are_consistent": 1},
            id="open-page-version-not-current",
        ),
        pytest.param(
            "update etl.file_versions set valid_to = valid_from, is_current = false",
            # each file: found but not in etl.source_files, and listed without a file
            {"file_accounting": 4, "versions_are_consistent": 2},
            id="file-versions-end-as-they-start",
        ),
        pytest.param(
            "delete from etl.article_spans",
            {"articles_match_their_pages": 1, "child_rows_have_article": 2},
            id="article-lost",
        ),
        pytest.param(
            "insert into discovered_files values ('learn/x/unread.md')",
            {"file_accounting": 1},
            id="file-not-accounted",
        ),
        pytest.param(
            "delete from etl.file_versions where source_path = $second",
            {"file_accounting": 2},
            id="listing-without-its-file",
        ),
    ],
)
def test_checks_catch_corruption(
    two_listings: duckdb.DuckDBPyConnection, corrupt: str, failed: dict[str, int]
) -> None:
    """Checks run in the merge's transaction; each case corrupts the state in one too."""
    paths = {"first": FIRST, "second": SECOND}
    two_listings.execute("begin transaction")
    try:
        two_listings.execute(corrupt, {k: v for k, v in paths.items() if f"${k}" in corrupt})
        assert failures(two_listings) == failed
    finally:
        two_listings.execute("rollback")


def test_changes_by_run_counts_articles_pages_and_rejections(runs: StateRuns) -> None:
    a, b, c, d = (
        path_of(slug, name)
        for slug, name in [("bio", "a"), ("psy", "a"), ("psy", "c"), ("psy", "d")]
    )
    runs.run(
        {
            a: listing(7, "bio", "a"),
            b: listing(7, "psy", "a"),
            c: listing(8, "psy", "c"),
            path_of(name="r"): BROKEN,
        }
    )
    runs.run(
        {
            c: listing(8, "psy", "c", answer=OTHER_ANSWER),
            b: listing(7, "psy", "a", keywords="gamma"),
            d: listing(9, "psy", "d"),
            path_of(name="n"): BROKEN,
        }
    )
    runs.run({c: BROKEN}, deleted=[a])
    runs.run(deleted=[b, c])
    # after the run: articles added, changed, deleted; pages added, changed, deleted;
    # files rejected
    assert rows(runs.con, "select * from reports.changes_by_run") == [
        # 7 and 8 go with their last pages, b and c (stale)
        (4, run_id(4), None, run_time(4), "succeeded", 0, 0, 2, 0, 0, 2, 0),
        # 7 moves to b as a goes; c turns bad, keeps its page
        (3, run_id(3), None, run_time(3), "succeeded", 0, 1, 0, 0, 0, 1, 1),
        # 9 comes with d; 8's answer changes with c; b changes, not being 7's first listing
        (2, run_id(2), None, run_time(2), "succeeded", 1, 1, 0, 1, 2, 0, 1),
        # 7 with two pages, 8 with one; r is bad
        (1, run_id(1), None, run_time(1), "succeeded", 2, 0, 0, 3, 0, 0, 1),
    ]


LINKS = [(8, "/learn/x")]
HISTORY = (
    "select article_id, valid_from, valid_to, is_current, opened_run_id, title, "
    "list_sort(changed_fields), previous_valid_from from reports.article_history"
)
ARTICLE_EDITS = [
    pytest.param({"title": "What was it?"}, ["title"], id="title"),
    pytest.param(
        {"answer": OTHER_ANSWER},
        ["answer_conclusion", "answer_markdown", "point_count"],
        id="answer",
    ),
    pytest.param(
        {"keywords": "alpha, beta, gamma"},
        ["keyword_count", "seo_page_keywords"],
        id="keyword-added",
    ),
    pytest.param({"links": [(8, "/learn/x"), (9, "/learn/y")]}, ["related_count"], id="link-added"),
    pytest.param({"extra_lines": "reviewer: Ann\n"}, ["extra"], id="extra-field"),
]


@pytest.mark.parametrize(("edit", "changed_fields"), ARTICLE_EDITS)
def test_article_history_names_every_changed_field(
    runs: StateRuns, edit: dict[str, Any], changed_fields: list[str]
) -> None:
    """Every article column that differs from the version before."""
    fields = {"links": LINKS, **edit}
    runs.run({path_of(): listing(links=LINKS)})
    runs.run({path_of(): listing(**fields)})
    assert rows(runs.con, HISTORY) == [
        (7, run_time(1), run_time(2), False, run_id(1), "What is it?", ["(first version)"], None),
        (
            7,
            run_time(2),
            None,
            True,
            run_id(2),
            fields.get("title", "What is it?"),
            changed_fields,
            run_time(1),
        ),
    ]


def test_an_edit_of_no_article_field_makes_no_article_version(runs: StateRuns) -> None:
    runs.run({path_of(): listing(links=LINKS)})
    runs.run({path_of(): listing(links=[(8, "/learn/x/moved")])})
    assert rows(runs.con, HISTORY) == [
        (7, run_time(1), None, True, run_id(1), "What is it?", ["(first version)"], None)
    ]
    assert rows(runs.con, "select related_url from related_articles") == [("/learn/x/moved",)]


def test_article_history_of_an_article_that_returns_unchanged(runs: StateRuns) -> None:
    runs.run({path_of(): listing()})
    runs.run(deleted=[path_of()])
    runs.run({path_of(): listing()})
    assert rows(
        runs.con,
        "select valid_from, valid_to, changed_fields, previous_valid_from "
        "from reports.article_history",
    ) == [
        (run_time(1), run_time(2), ["(first version)"], None),
        (run_time(3), None, [], run_time(1)),
    ]


ONE, TWO, THREE = (path_of(name=name) for name in ("one", "two", "three"))
GONE = "/learn/gone/questions/x"


@pytest.fixture
def linked(runs: StateRuns) -> StateRuns:
    """Page one links to page two by id, to page three by URL under an id that is gone, to
    nowhere, and to page two by URL without an id."""
    links = [
        (2, url_of(name="two")),
        (99, url_of(name="three")),
        (98, GONE),
        (None, url_of(name="two")),
    ]
    runs.run(
        {
            ONE: listing(1, name="one", title="One?", links=links),
            TWO: listing(2, name="two", title="Two?"),
            THREE: listing(3, name="three", title="Three?"),
        }
    )
    return runs


def test_broken_related_links_are_the_dead_ones(linked: StateRuns) -> None:
    assert rows(linked.con, "select * from reports.broken_related_links") == [
        (1, "One?", "Psychology", ONE, 3, 98, "Link 3", GONE)
    ]


def test_moved_related_links_show_where_they_lead(linked: StateRuns) -> None:
    assert rows(linked.con, "select * from reports.moved_related_links") == [
        (1, ONE, 2, 99, "Link 2", url_of(name="three"), 3, "Three?"),
        (1, ONE, 4, None, "Link 4", url_of(name="two"), 2, "Two?"),
    ]


def test_a_link_whose_target_goes_is_dead(linked: StateRuns) -> None:
    linked.run(deleted=[THREE])
    assert rows(
        linked.con, "select source_path, rank, related_article_id from reports.broken_related_links"
    ) == [
        (ONE, 2, 99),
        (ONE, 3, 98),
    ]
    assert rows(
        linked.con, "select source_path, rank, resolved_article_id from reports.moved_related_links"
    ) == [(ONE, 4, 2)]


def test_top_keywords_counts_articles_case_insensitively(runs: StateRuns) -> None:
    runs.run(
        {
            path_of(name="a"): listing(1, name="a", keywords="Memory, Sleep"),
            path_of(name="b"): listing(2, name="b", keywords="memory"),
            path_of(name="c"): listing(3, name="c", keywords="memory"),
        }
    )
    assert rows(runs.con, "select * from reports.top_keywords") == [
        (1, "memory", "memory", 3),
        (2, "Sleep", "sleep", 1),
    ]


def test_points_per_article_distribution(runs: StateRuns) -> None:
    def answer(points: int) -> str:
        return "Intro." + "".join(rf"\n{number}. Point." for number in range(1, points + 1))

    runs.run(
        {
            path_of(name=f"a{number}"): listing(number, name=f"a{number}", answer=answer(points))
            for number, points in enumerate([0, 3, 3, 5], start=1)
        }
    )
    assert rows(runs.con, "select * from reports.points_per_article") == [
        (0, 1, 25.0, 25.0),
        (3, 2, 50.0, 75.0),
        (5, 1, 25.0, 100.0),
    ]


def test_subject_summary_counts_cross_listed_articles_under_each_subject(runs: StateRuns) -> None:
    runs.run(
        {
            path_of("biology", "a"): listing(1, "biology", "a", subject="Biology"),
            path_of("biology", "b"): listing(
                2, "biology", "b", subject="Biology", answer=OTHER_ANSWER
            ),
            path_of("psychology", "b"): listing(2, "psychology", "b", answer=OTHER_ANSWER),
        }
    )
    published = dt.date(2024, 11, 23)
    assert rows(runs.con, "select * from reports.subject_summary") == [
        ("Biology", "biology", 2, 2, 2, 0, 1.5, 2.0, published, published),
        ("Psychology", "psychology", 1, 1, 0, 1, 1.0, 2.0, published, published),
    ]


def test_a_failed_rollback_does_not_hide_the_error(con: duckdb.DuckDBPyConnection) -> None:
    def work() -> None:
        con.execute("rollback")
        raise ValueError("the real error")

    with pytest.raises(ValueError, match="the real error"):
        in_transaction(con, work)
    in_transaction(con, lambda: con.execute("create table t (x integer)"))
    assert rows(con, "select count(*) from t") == [(0,)]
