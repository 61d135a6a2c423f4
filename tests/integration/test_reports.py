"""The analysts' reports (sql/reports) on a real state, run by run: what each finds on
files written to show it."""

from __future__ import annotations

import datetime as dt

from tests.integration.state_runs import (
    BROKEN,
    StateRuns,
    listing,
    path_of,
    rows,
    run_time,
)

LONG_DESCRIPTION = "x" * 161
MANY_KEYWORDS = ", ".join(f"keyword {n}" for n in range(21))


def asking(question: str, article_id: int, name: str, **fields: object) -> str:
    text = listing(article_id, name=name, **fields)  # type: ignore[arg-type]
    return text.replace("question: >-\n    What is it?\n", f"question: >-\n    {question}\n")


def described(description: str, article_id: int, name: str, **fields: object) -> str:
    text = listing(article_id, name=name, **fields)  # type: ignore[arg-type]
    return text.replace(
        "page_description: >-\n    About it.\n", f"page_description: >-\n    {description}\n"
    )


def test_duplicate_questions_are_exact_after_normalizing_or_near(runs: StateRuns) -> None:
    runs.run(
        {
            path_of(name="a"): asking("How do plants make food from sunlight?", 1, "a"),
            path_of(name="b"): asking("how do plants make FOOD from sunlight", 2, "b"),
            path_of(name="c"): asking("How do plants make food from the sunlight?", 3, "c"),
            path_of(name="d"): asking("Why is the sky blue on a clear day?", 4, "d"),
        }
    )
    assert rows(
        runs.con,
        "select match, similarity, article_id, other_article_id from reports.duplicate_questions",
    ) == [
        ("exact", 1.0, 1, 2),
        ("near", 0.902, 1, 3),
        ("near", 0.902, 2, 3),
    ]


def test_keyword_families_join_spellings_that_differ_in_punctuation(runs: StateRuns) -> None:
    runs.run(
        {
            path_of(name="a"): listing(1, name="a", keywords="decision-making, memory"),
            path_of(name="b"): listing(2, name="b", keywords="decision making, memory"),
            path_of(name="c"): listing(3, name="c", keywords="Decision-Making"),
        }
    )
    assert rows(runs.con, "select * from reports.keyword_families") == [
        ("decisionmaking", 2, 3, "decision-making", ["decision-making", "decision making"])
    ]


def test_seo_audit_names_each_problem_of_a_page(runs: StateRuns) -> None:
    runs.run(
        {
            path_of(name="a"): described(LONG_DESCRIPTION, 1, "a", keywords=MANY_KEYWORDS),
            path_of(name="b"): described("Short.", 2, "b"),
            path_of(name="c"): listing(3, name="c").replace(
                "title: QuickTakes | Subject", "title: QuickTakes | What is it?"
            ),
        }
    )
    assert rows(
        runs.con,
        "select source_path, pages_with_same_title, description_length, keyword_count, problems "
        "from reports.seo_audit",
    ) == [
        (
            path_of(name="a"),
            2,
            161,
            21,
            ["duplicate title", "description over 160", "over 20 keywords"],
        ),
        (path_of(name="b"), 2, 6, 2, ["duplicate title", "description under 50"]),
        (path_of(name="c"), 1, 9, 2, ["description under 50"]),
    ]


def test_latest_changes_add_change_remove_and_restore(runs: StateRuns) -> None:
    path = path_of()
    runs.run({path: listing()})
    runs.run({path: listing(title="What is it now?")})
    runs.run(deleted=[path])
    runs.run({path: listing(title="What is it now?")})
    assert rows(runs.con, "select * exclude (source_commit) from reports.latest_changes") == [
        (run_time(4), 4, 7, "What is it now?", "restored", []),
        (run_time(3), 3, 7, "What is it now?", "removed", []),
        (run_time(2), 2, 7, "What is it now?", "changed", ["title"]),
        (run_time(1), 1, 7, "What is it?", "added", ["(first version)"]),
    ]


def test_link_health_counts_links_by_status_per_subject(runs: StateRuns) -> None:
    two, gone = "/learn/psychology/questions/two", "/learn/psychology/questions/gone"
    runs.run(
        {
            path_of(name="one"): listing(1, name="one", links=[(2, two), (99, two), (98, gone)]),
            path_of(name="two"): listing(2, name="two"),
            path_of("biology", "b"): listing(
                3, "biology", "b", subject="Biology", links=[(2, two)]
            ),
        }
    )
    assert rows(runs.con, "select * from reports.link_health") == [
        ("Psychology", 3, 1, 1, 1, 0.3333),
        ("Biology", 1, 1, 0, 0, 1.0),
    ]


def test_subject_counts_add_up_to_the_articles_by_primary_subject(runs: StateRuns) -> None:
    runs.run(
        {
            path_of("biology", "a"): listing(1, "biology", "a", subject="Biology"),
            path_of("biology", "b"): listing(2, "biology", "b", subject="Biology"),
            path_of("psychology", "b"): listing(2, "psychology", "b"),
        }
    )
    assert rows(
        runs.con,
        "select primary_subject, month_article_count, article_count "
        "from reports.publishing_by_month",
    ) == [("Biology", 2, 2)]
    assert rows(
        runs.con,
        "select primary_subject, keyword_rank, keyword_normalized, article_count, article_share "
        "from reports.keywords_by_subject",
    ) == [("Biology", 1, "alpha", 2, 1.0), ("Biology", 2, "beta", 2, 1.0)]


def test_rejected_files_say_why_and_since_when(runs: StateRuns) -> None:
    runs.run({path_of(name="a"): listing(1, name="a")})
    runs.run({path_of(name="a"): BROKEN, path_of(name="b"): BROKEN})
    assert rows(
        runs.con,
        "select source_path, status, error_kind, since_run_no, since from reports.rejected_files",
    ) == [
        (path_of(name="a"), "stale", "yaml_error", 2, run_time(2)),
        (path_of(name="b"), "rejected", "yaml_error", 2, run_time(2)),
    ]
    assert rows(runs.con, "select run_no, status, files_rejected_count from reports.runs") == [
        (2, "succeeded", 2),
        (1, "succeeded", 0),
    ]


def test_published_month_is_the_first_day_of_the_publication_month(runs: StateRuns) -> None:
    runs.run({path_of(): listing()})
    assert rows(runs.con, "select published_month from articles") == [(dt.date(2024, 11, 1),)]
