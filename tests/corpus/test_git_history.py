"""The real history of the corpus, 37 commits, loaded from git: the backfill ends where one
run at HEAD does, and holds every commit as the commit's own tree."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import duckdb
import pytest

from flows.backfill import quicktakes_etl_backfill
from flows.etl import quicktakes_etl
from tests.conftest import SHARED_CORPUS, articles_at, warehouse_rows

pytestmark = pytest.mark.usefixtures("prefect_server")
BUNDLE = SHARED_CORPUS / "quicktakes-learn-history.bundle"
PATH = "content/learn"
COMPARED = ("54592f35e", "173721d96", "f843ce7a9", "dfd2199e2")
"""Commits whose tree a one-shot load compares with the backfill's history: the first (75
broken files), the re-adds after the mass deletion, the removal of two subjects, and the
re-adds after the folder was removed."""


@pytest.fixture(scope="module")
def remote(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not BUNDLE.is_file():
        pytest.skip(f"real history not found at {BUNDLE} (needs ../shared beside the project)")
    target = tmp_path_factory.mktemp("history") / "cms.git"
    subprocess.run(["git", "clone", "--quiet", "--bare", str(BUNDLE), str(target)], check=True)
    return target


def test_the_backfill_of_the_real_history_is_every_commit_as_it_was(
    remote: Path, tmp_path: Path
) -> None:
    url = f"git+{remote.as_uri()}"
    warehouse = tmp_path / "backfill"
    done = quicktakes_etl_backfill(
        source=url, path=PATH, warehouse=str(warehouse), allow_mass_delete=True
    )
    commits = subprocess.run(
        ["git", "-C", str(remote), "rev-list", "--reverse", "HEAD", "--", PATH],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert [commit.sha for commit in done.loaded] == commits
    database = warehouse / "quicktakes.duckdb"
    with duckdb.connect(str(database), read_only=True) as con:
        recorded = con.execute(
            "select source_commit, source_time = source_commit_time, status, "
            "files_rejected_count from etl.runs order by run_no"
        ).fetchall()
    assert [row[:3] for row in recorded] == [(sha, True, "succeeded") for sha in commits]
    assert recorded[0][3] == 75
    head = quicktakes_etl(source=url, path=PATH, warehouse=str(tmp_path / "head"))
    assert warehouse_rows(database) == warehouse_rows(head.database_path)
    for short in COMPARED:
        commit = next(commit for commit in done.loaded if commit.sha.startswith(short))
        tree = quicktakes_etl(
            source=url, path=PATH, ref=commit.sha, warehouse=str(tmp_path / short)
        )
        stale = stale_articles(database, commit.time)
        assert short != "f843ce7a9" or stale, "a file broken there keeps its last good page"
        assert without(articles_at(database, commit.time), stale) == without(
            articles_at(Path(tree.database_path)), stale
        ), short


def stale_articles(database: Path, at: dt.datetime) -> set[object]:
    """Articles of files that were broken at ``at`` after a good version: the warehouse
    keeps their last good page (they are stale), where a load of that tree alone has none."""
    with duckdb.connect(str(database), read_only=True) as con:
        rows = con.execute(
            "select spans.article_id from etl.file_versions as files "
            "inner join etl.page_spans as spans using (source_path) "
            "where files.status = 'rejected' and files.valid_from <= $at "
            "and (files.valid_to is null or files.valid_to > $at) "
            "and spans.valid_from <= $at and (spans.valid_to is null or spans.valid_to > $at)",
            {"at": at},
        ).fetchall()
    return {article_id for (article_id,) in rows}


def without(articles: list[tuple[object, ...]], excluded: set[object]) -> list[tuple[object, ...]]:
    return [row for row in articles if row[0] not in excluded]
