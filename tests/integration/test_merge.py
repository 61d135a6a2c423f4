"""The merge of a run's partition (sql/merge) on a real DuckDB state, run by run: versions
opened and closed, the cross-file rules, file events, and the as-of macros."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from flows.warehouse import ChecksFailed, run_checks
from tests.integration.state_runs import (
    BROKEN,
    BROKEN_ERROR,
    NO_ACCESS,
    OTHER_ANSWER,
    StateRuns,
    full_load,
    listing,
    new_state,
    path_of,
    rows,
    run_id,
    run_mtime_ns,
    run_time,
    sha256,
    state_template,
    url_of,
)

P = path_of()
A = path_of("biology", "a")
B = path_of("psychology", "a")
AS_OF_MACROS = {
    "articles_as_of": "articles",
    "article_listings_as_of": "article_listings",
    "answer_points_as_of": "answer_points",
}
"""Each as-of macro and the view it gives the past of."""
STATE_TABLES = (
    "etl.file_versions",
    "etl.file_events",
    "etl.page_spans",
    "etl.page_contents",
    "etl.page_content_points",
    "etl.page_content_keywords",
    "etl.page_content_links",
    "etl.article_spans",
)
"""Everything a merge writes (the run's own record aside)."""


def state_rows(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[Any, ...]]]:
    return {table: rows(con, f"select * from {table} order by all") for table in STATE_TABLES}


def article_versions(con: duckdb.DuckDBPyConnection) -> list[tuple[Any, ...]]:
    return rows(
        con,
        "select article_id, valid_from, valid_to, is_current, source_path from article_versions "
        "order by article_id, valid_from",
    )


def page_versions(con: duckdb.DuckDBPyConnection) -> list[tuple[Any, ...]]:
    return rows(
        con,
        "select source_path, valid_from, valid_to, is_current, sha256 from page_versions "
        "order by source_path, valid_from",
    )


def test_a_file_becomes_an_article_a_page_and_their_child_rows(runs: StateRuns) -> None:
    text = listing(links=[(8, url_of("biology", "b"))])
    runs.run({P: text})
    extra = {"_schema": "default", "date_format": "MMM DD, YYYY", "post_on_text": "Posted on"}
    assert rows(runs.con, "select * from articles") == [
        (
            7,
            dt.date(2024, 11, 23),
            "What is it?",
            "What is it?",
            "What is it?",
            "Intro.\n\n1. **One**: first.\n2. **Two**: second.\n\nEnd.",
            "Intro.",
            "End.",
            "Psychology",
            "Psychology",
            "Psychology",
            "psychology",
            url_of(),
            "what-is-it.md",
            "QuickTakes",
            None,
            False,
            "QuickTakes | Subject",
            "About it.",
            "alpha, beta",
            2,
            2,
            1,
            P,
            json.dumps(extra),
            dt.date(2024, 11, 1),
            "Intro. One: first. Two: second. End.",
            6,
            3,
            "numbered",
            "what is it",
            hashlib.md5(b"what is it").hexdigest(),
            len("About it."),
            run_time(1),
        )
    ]
    assert rows(runs.con, "select * from article_listings") == [
        (
            P,
            7,
            "Psychology",
            "Psychology",
            "psychology",
            url_of(),
            "QuickTakes | Subject",
            "About it.",
            "alpha, beta",
            True,
            sha256(text),
            run_time(1),
        )
    ]
    assert rows(runs.con, "select * from answer_points order by all") == [
        (7, 1, 1, None, "One", "first."),
        (7, 2, 2, None, "Two", "second."),
    ]
    assert rows(runs.con, "select * from page_keywords order by all") == [
        (P, 1, "alpha", "alpha"),
        (P, 2, "beta", "beta"),
    ]
    assert rows(runs.con, "select * from article_keywords order by all") == [
        (7, 1, "alpha", "alpha"),
        (7, 2, "beta", "beta"),
    ]
    assert rows(runs.con, "select * from related_articles") == [
        (7, 1, 8, "Link 1", None, url_of("biology", "b"), "dead", None)
    ]
    assert rows(runs.con, "select * from subjects") == [("psychology", "Psychology", 1)]
    assert rows(runs.con, "select * from etl.source_files") == [
        (P, sha256(text), len(text), "loaded", 7, run_mtime_ns(1), run_id(1))
    ]
    assert rows(runs.con, "select * from etl.rejected_files") == []


BIOLOGY_LINKS = [(None, "/learn/biology/questions/x")]
PSYCHOLOGY_LINKS = [
    (None, "/learn/psychology/questions/x"),
    (None, "/learn/psychology/questions/y"),
]


@pytest.mark.parametrize(
    "reads",
    [
        pytest.param([[B, A]], id="read-together"),
        pytest.param([[B], [A]], id="first-listing-added-later"),
    ],
)
def test_an_article_takes_its_fields_from_its_first_listing_by_path(
    runs: StateRuns, reads: list[list[str]]
) -> None:
    texts = {
        A: listing(7, "biology", "a", subject="Biology", links=BIOLOGY_LINKS),
        B: listing(7, "psychology", "a", subject="Psychology", links=PSYCHOLOGY_LINKS),
    }
    for paths in reads:
        runs.run({path: texts[path] for path in paths})
    assert rows(runs.con, "select article_id, source_path, subject, url from articles") == [
        (7, A, "Biology", url_of("biology", "a"))
    ]
    assert rows(
        runs.con,
        "select source_path, article_id, subject, is_first_listing from article_listings "
        "order by source_path",
    ) == [(A, 7, "Biology", True), (B, 7, "Psychology", False)]
    assert rows(runs.con, "select article_id, rank, related_url from related_articles") == [
        (7, 1, BIOLOGY_LINKS[0][1])
    ]
    assert rows(
        runs.con, "select source_path, rank, related_url from page_related_links order by all"
    ) == [
        (A, 1, BIOLOGY_LINKS[0][1]),
        (B, 1, PSYCHOLOGY_LINKS[0][1]),
        (B, 2, PSYCHOLOGY_LINKS[1][1]),
    ]


def test_a_file_that_turns_bad_keeps_its_page_open_until_fixed(runs: StateRuns) -> None:
    good, fixed = listing(), listing(answer=OTHER_ANSWER)
    runs.run({P: good})
    articles, points = (
        rows(runs.con, f"select * from {t} order by all") for t in ("articles", "answer_points")
    )

    runs.run({P: BROKEN})
    assert rows(runs.con, "select * from etl.source_files") == [
        (P, sha256(BROKEN), len(BROKEN), "stale", 7, run_mtime_ns(2), run_id(2))
    ]
    assert rows(runs.con, "select * from etl.rejected_files") == [(P, *BROKEN_ERROR)]
    assert rows(
        runs.con, "select source_path, sha256, version_valid_from from article_listings"
    ) == [(P, sha256(good), run_time(1))]
    assert page_versions(runs.con) == [(P, run_time(1), None, True, sha256(good))]
    assert article_versions(runs.con) == [(7, run_time(1), None, True, P)]
    assert rows(runs.con, "select * from articles order by all") == articles
    assert rows(runs.con, "select * from answer_points order by all") == points

    runs.run({P: fixed})
    assert rows(runs.con, "select source_path, status from etl.source_files") == [(P, "loaded")]
    assert rows(runs.con, "select * from etl.rejected_files") == []
    assert page_versions(runs.con) == [
        (P, run_time(1), run_time(3), False, sha256(good)),
        (P, run_time(3), None, True, sha256(fixed)),
    ]
    assert article_versions(runs.con) == [
        (7, run_time(1), run_time(3), False, P),
        (7, run_time(3), None, True, P),
    ]
    assert rows(runs.con, "select article_id, point_index from answer_points") == [(7, 1)]


def test_a_stale_first_listing_yields_to_a_loaded_one_and_is_kept_when_alone(
    runs: StateRuns,
) -> None:
    runs.run({A: listing(7, "biology", "a"), B: listing(7, "psychology", "a")})
    runs.run({A: BROKEN})
    assert rows(
        runs.con,
        "select source_path, status, article_id from etl.source_files order by source_path",
    ) == [(A, "stale", 7), (B, "loaded", 7)]
    assert rows(
        runs.con, "select source_path, is_first_listing from article_listings order by all"
    ) == [(A, False), (B, True)]

    runs.run(deleted=[B])
    assert rows(runs.con, "select source_path, is_first_listing from article_listings") == [
        (A, True)
    ]
    runs.run(deleted=[A])
    assert rows(runs.con, "select * from articles") == []
    assert article_versions(runs.con) == [
        (7, run_time(1), run_time(2), False, A),
        (7, run_time(2), run_time(3), False, B),
        (7, run_time(3), run_time(4), False, A),
    ]


CURRENT_VIEWS = (
    "articles",
    "article_listings",
    "answer_points",
    "article_keywords",
    "related_articles",
    "page_keywords",
    "page_related_links",
    "subjects",
    "etl.source_files",
    "etl.rejected_files",
)


def test_a_deletion_closes_every_version_and_a_return_opens_new_ones(runs: StateRuns) -> None:
    text = listing(links=[(8, "/learn/x/questions/y")])
    runs.run({P: text})
    runs.run(deleted=[P])
    assert {view: rows(runs.con, f"select * from {view}") for view in CURRENT_VIEWS} == {
        view: [] for view in CURRENT_VIEWS
    }
    closed = [(run_time(1), run_time(2), False, run_id(1), run_id(2))]
    history = "select valid_from, valid_to, is_current, opened_run_id, closed_run_id from"
    assert rows(runs.con, f"{history} article_versions") == closed
    assert rows(runs.con, f"{history} page_versions") == closed
    assert rows(runs.con, f"{history} etl.file_versions") == closed

    runs.run({P: text})
    assert rows(runs.con, f"{history} article_versions order by valid_from") == [
        *closed,
        (run_time(3), None, True, run_id(3), None),
    ]
    assert rows(runs.con, "select source_path, sha256 from etl.page_contents") == [
        (P, sha256(text))
    ]
    assert rows(runs.con, "select article_id, source_path, version_valid_from from articles") == [
        (7, P, run_time(3))
    ]


G, R, U = (path_of("psychology", name) for name in ("good", "rejected", "unreadable"))


def test_file_events_record_changes_of_bytes_or_status_only(runs: StateRuns) -> None:
    good, edited, fixed = (
        listing(1, name="good"),
        listing(1, name="good", answer=OTHER_ANSWER),
        listing(2, name="rejected"),
    )
    runs.run({G: good, R: BROKEN, U: NO_ACCESS})
    runs.run({G: edited, R: BROKEN, U: NO_ACCESS})
    runs.run({G: BROKEN, R: fixed}, deleted=[U])
    runs.run({G: BROKEN}, deleted=[R])
    assert rows(runs.con, "select * from etl.file_events order by run_id, source_path") == [
        (run_id(1), G, "added", None, sha256(good)),
        (run_id(1), R, "rejected", None, sha256(BROKEN)),
        (run_id(1), U, "rejected", None, None),
        (run_id(2), G, "changed", sha256(good), sha256(edited)),
        (run_id(3), G, "rejected", sha256(edited), sha256(BROKEN)),
        (run_id(3), R, "changed", sha256(BROKEN), sha256(fixed)),
        (run_id(3), U, "deleted", None, None),
        (run_id(4), R, "deleted", sha256(fixed), None),
    ]


def test_rereading_unchanged_files_changes_nothing(runs: StateRuns) -> None:
    source = {G: listing(1, name="good"), R: BROKEN, U: NO_ACCESS}
    runs.run(source, mtime_ns=run_mtime_ns(1))
    before = state_rows(runs.con)
    runs.run(source, mtime_ns=run_mtime_ns(1))
    assert state_rows(runs.con) == before


def test_a_touched_file_keeps_its_version_with_the_new_mtime(runs: StateRuns) -> None:
    text = listing()
    runs.run({P: text})
    runs.run({P: text})
    assert rows(
        runs.con,
        "select source_path, valid_from, valid_to, sha256, size_bytes, mtime_ns "
        "from etl.file_versions",
    ) == [(P, run_time(1), None, sha256(text), len(text), run_mtime_ns(2))]
    assert rows(runs.con, "select run_id, event from etl.file_events") == [(run_id(1), "added")]


def listed_as(spellings: list[str], slug: str = "computer-science") -> dict[str, str]:
    """One article per spelling, each spelling its subject so."""
    return {
        path_of(slug, f"q{number}"): listing(number, slug, f"q{number}", subject=spelling)
        for number, spelling in enumerate(spellings, start=1)
    }


@pytest.mark.parametrize(
    ("spellings", "canonical"),
    [
        pytest.param(
            ["Computer Science", "Computer science", "Computer Science"],
            "Computer Science",
            id="most-frequent",
        ),
        pytest.param(
            ["computer science", "Computer Science", "computer science"],
            "computer science",
            id="most-frequent-even-lowercase",
        ),
        pytest.param(
            ["Computer science", "Computer Science"], "Computer Science", id="tie-sorts-first"
        ),
    ],
)
def test_canonical_subject_is_the_most_frequent_spelling(
    runs: StateRuns, spellings: list[str], canonical: str
) -> None:
    files = listed_as(spellings)
    runs.run(files)
    assert rows(runs.con, "select * from subjects") == [
        ("computer-science", canonical, len(spellings))
    ]
    assert rows(runs.con, "select article_id, subject from articles order by all") == [
        (number, canonical) for number in range(1, len(spellings) + 1)
    ]
    assert rows(
        runs.con,
        "select source_path, subject, subject_as_written from article_listings order by all",
    ) == [(path, canonical, spelling) for path, spelling in zip(files, spellings, strict=True)]


def test_renaming_the_canonical_spelling_gives_its_articles_new_versions(runs: StateRuns) -> None:
    files = listed_as(["Computer science", "Computer science", "Computer Science"])
    other = {path_of("biology", "q4"): listing(4, "biology", "q4", subject="Biology")}
    runs.run({**files, **other})
    q2 = path_of("computer-science", "q2")
    runs.run({q2: listing(2, "computer-science", "q2", subject="Computer Science")})
    assert rows(runs.con, "select * from subjects order by all") == [
        ("biology", "Biology", 1),
        ("computer-science", "Computer Science", 3),
    ]
    assert rows(
        runs.con,
        "select article_id, valid_from, valid_to, subject from article_versions "
        "order by article_id, valid_from",
    ) == [
        *(
            version
            for number in (1, 2, 3)
            for version in [
                (number, run_time(1), run_time(2), "Computer science"),
                (number, run_time(2), None, "Computer Science"),
            ]
        ),
        (4, run_time(1), None, "Biology"),
    ]


ONE, TWO, THREE = (path_of("psychology", name) for name in ("one", "two", "three"))


def linking_pages() -> dict[str, str]:
    """Page one links to page two by id, to page three by URL under an unknown id, to
    nowhere, and to page two by URL without an id."""
    links = [
        (2, url_of("psychology", "two")),
        (99, url_of("psychology", "three")),
        (98, "/learn/gone/questions/x"),
        (None, url_of("psychology", "two")),
    ]
    return {
        ONE: listing(1, name="one", links=links),
        TWO: listing(2, name="two"),
        THREE: listing(3, name="three"),
    }


def test_related_links_are_ok_moved_or_dead(runs: StateRuns) -> None:
    runs.run(linking_pages())
    two, three = url_of("psychology", "two"), url_of("psychology", "three")
    assert rows(runs.con, "select * from page_related_links order by all") == [
        (ONE, 1, 2, "Link 1", None, two, "ok", 2),
        (ONE, 2, 99, "Link 2", None, three, "moved", 3),
        (ONE, 3, 98, "Link 3", None, "/learn/gone/questions/x", "dead", None),
        (ONE, 4, None, "Link 4", None, two, "moved", 2),
    ]
    assert rows(runs.con, "select * from related_articles order by all") == [
        (1, 1, 2, "Link 1", None, two, "ok", 2),
        (1, 2, 99, "Link 2", None, three, "moved", 3),
        (1, 3, 98, "Link 3", None, "/learn/gone/questions/x", "dead", None),
        (1, 4, None, "Link 4", None, two, "moved", 2),
    ]

    runs.run(deleted=[TWO, THREE])
    assert rows(
        runs.con,
        "select rank, link_status, resolved_article_id from page_related_links order by all",
    ) == [(1, "dead", None), (2, "dead", None), (3, "dead", None), (4, "dead", None)]


def test_a_conflicting_listing_is_a_warning_and_the_first_one_wins(runs: StateRuns) -> None:
    runs.run({A: listing(7, "biology", "a"), B: listing(7, "psychology", "a", answer=OTHER_ANSWER)})
    conflicts = [check for check in run_checks(runs.con) if check.name == "article_conflicts"]
    assert [(c.severity, c.sample_rows) for c in conflicts] == [
        ("warn", [{"article_id": 7, "source_path": B, "kept_source_path": A}])
    ]
    assert rows(runs.con, "select article_id, source_path, point_count from articles") == [
        (7, A, 2)
    ]


def test_a_failing_error_check_rolls_the_whole_merge_back(runs: StateRuns) -> None:
    runs.run({P: listing()})
    before = state_rows(runs.con)
    with pytest.raises(ChecksFailed) as failed:
        runs.run({P: listing(answer=OTHER_ANSWER)}, discovered=[P, G])
    assert [(c.name, c.failing_row_count) for c in failed.value.failed] == [("file_accounting", 1)]
    assert state_rows(runs.con) == before
    assert rows(runs.con, "select run_id from etl.runs") == [(run_id(1),)]


HALF_A_RUN = dt.timedelta(hours=12)
C, D, E = (path_of(name=name) for name in ("c", "d", "e"))
Step = tuple[dict[str, str], list[str]]
"""One run: the files it reads and the ones it finds deleted."""
HISTORY: list[Step] = [
    (
        {A: listing(7, "biology", "a"), B: listing(7, "psychology", "a"), C: listing(8, name="c")},
        [],
    ),
    ({C: listing(8, name="c", answer=OTHER_ANSWER), A: BROKEN}, []),
    ({D: listing(9, name="d", subject="psychology")}, [B]),
    ({A: listing(7, "biology", "a", answer=OTHER_ANSWER)}, [C]),
    ({C: listing(8, name="c"), E: listing(10, name="e", subject="psychology")}, []),
]
"""Cross-listing, an edit, a listing going stale, deletions, a fix, a return to earlier
bytes, and psychology's canonical name changing with the majority of its spellings."""
WITHOUT_STALE_FILES: list[Step] = [
    (
        {A: listing(7, "biology", "a"), B: listing(7, "psychology", "a"), C: listing(8, name="c")},
        [],
    ),
    (
        {
            C: listing(8, name="c", answer=OTHER_ANSWER),
            D: listing(9, name="d", subject="psychology"),
        },
        [A],
    ),
    ({E: listing(10, name="e", subject="psychology")}, [C]),
]
Held = dict[str, list[tuple[Any, ...]]]


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[StateRuns, list[Held]]]:
    """The state after ``HISTORY``, and what its views held after each of its runs."""
    folder = tmp_path_factory.mktemp("state")
    runs = StateRuns(new_state(state_template(tmp_path_factory), folder), folder / "lake")
    held = []
    for read, deleted in HISTORY:
        runs.run(read, deleted)
        held.append(
            {
                view: rows(runs.con, f"select * from {view} order by all")
                for view in AS_OF_MACROS.values()
            }
        )
    yield runs, held
    runs.con.close()


@pytest.mark.parametrize(
    ("run_no", "after"),
    [
        pytest.param(run_no, after, id=f"run-{run_no}{'-and-a-half' if after else ''}")
        for run_no in range(1, len(HISTORY) + 1)
        for after in (dt.timedelta(0), HALF_A_RUN)
    ],
)
@pytest.mark.parametrize("macro", AS_OF_MACROS, ids=list(AS_OF_MACROS))
def test_as_of_macros_give_what_the_state_held_after_each_run(
    history: tuple[StateRuns, list[Held]], macro: str, run_no: int, after: dt.timedelta
) -> None:
    runs, held = history
    as_of = rows(runs.con, f"select * from {macro}($ts) order by all", ts=run_time(run_no) + after)
    assert as_of == held[run_no - 1][AS_OF_MACROS[macro]]


@pytest.mark.parametrize("macro", AS_OF_MACROS, ids=list(AS_OF_MACROS))
def test_as_of_before_the_first_run_is_empty(
    history: tuple[StateRuns, list[Held]], macro: str
) -> None:
    runs, _ = history
    assert rows(runs.con, f"select * from {macro}($ts)", ts=run_time(1) - HALF_A_RUN) == []


STABLE_COLUMNS = {
    "articles_as_of": "* exclude (version_valid_from)",
    "article_listings_as_of": "* exclude (version_valid_from)",
    "answer_points_as_of": "*",
}
"""What a full load at a time shares with the history: all but when versions began."""


@pytest.fixture(scope="module")
def changes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StateRuns]:
    folder = tmp_path_factory.mktemp("state")
    runs = StateRuns(new_state(state_template(tmp_path_factory), folder), folder / "lake")
    for read, deleted in WITHOUT_STALE_FILES:
        runs.run(read, deleted)
    yield runs
    runs.con.close()


@pytest.mark.parametrize(
    "run_no",
    range(1, len(WITHOUT_STALE_FILES) + 1),
    ids=[f"run-{n}" for n in range(1, len(WITHOUT_STALE_FILES) + 1)],
)
def test_as_of_equals_a_full_load_of_the_source_then(
    changes: StateRuns, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, run_no: int
) -> None:
    """Without stale files, the source as it was then is all a state of that time needs."""
    with full_load(changes, run_no, state_template(tmp_path_factory), tmp_path) as full:
        for macro, columns in STABLE_COLUMNS.items():
            as_of = f"select {columns} from {macro}($ts) order by all"
            assert rows(changes.con, as_of, ts=run_time(run_no)) == rows(
                full, as_of, ts=run_time(run_no)
            ), macro
