"""A git repository as the source: pulled into a bare cache, changes found by blob id,
history loaded commit by commit, and every way it can fail ending in one line."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from flows.backfill import quicktakes_etl_backfill
from flows.cli import main
from flows.etl import quicktakes_etl
from flows.gitsource import GitSourceError
from flows.warehouse import MassDeletion
from tests.conftest import FIXTURES, articles_at, render_article, warehouse_rows
from tests.integration.gitrepo import CmsRepo, git_daemon
from tests.integration.test_concurrency import CLI, cli_env

pytestmark = pytest.mark.usefixtures("prefect_server")
PATH = "content/learn"
NO_URL = render_article(article_id=950, subject="History", slug="history").replace(
    "url: /learn/history/questions/what-is-it\n", ""
)
"""A page with no URL takes its subject from its folder: moved, it must be parsed again."""


@pytest.fixture
def cms(tmp_path: Path) -> CmsRepo:
    """A history with every kind of change: the fixture corpus (five broken files), an
    edit and an addition, renames, a commit outside the folder, a fix and a deletion, and
    a change reverted."""
    repo = CmsRepo(tmp_path / "cms")
    repo.copy_tree(FIXTURES / "corpus" / "learn", PATH)
    repo.write(f"{PATH}/history/no-url.md", NO_URL)
    repo.write("README.md", "The CMS.")
    repo.commit("first articles")
    osmosis = f"{PATH}/biology/what-is-osmosis.md"
    first = (repo.work / osmosis).read_text()
    repo.write(osmosis, first.replace("What is osmosis?", "What is osmosis, exactly?"))
    repo.write(f"{PATH}/history/new.md", render_article(article_id=900, slug="history"))
    repo.commit("edit osmosis, add a history article")
    repo.move(f"{PATH}/biology/what-is-diffusion.md", f"{PATH}/biology/diffusion.md")
    repo.move(f"{PATH}/history/no-url.md", f"{PATH}/psychology/no-url.md")
    repo.commit("rename two pages")
    repo.write("README.md", "The CMS, now with a longer readme.")
    repo.commit("readme only")
    repo.write(f"{PATH}/broken/yaml-error.md", render_article(article_id=777, slug="biology"))
    repo.remove(f"{PATH}/computer-science/how-do-you-sort-a-list.md")
    repo.commit("fix a broken file, delete one")
    repo.write(osmosis, first)
    repo.commit("revert the osmosis edit")
    return repo


def runs(warehouse: Path) -> list[tuple[object, ...]]:
    with duckdb.connect(str(warehouse / "quicktakes.duckdb"), read_only=True) as con:
        return con.execute(
            "select source_commit, source_time, source_commit_subject, status, files_read_count "
            "from etl.runs order by run_no"
        ).fetchall()


def reused_paths(warehouse: Path) -> list[str]:
    """The files runs copied instead of parsing, by the lake's partitions."""
    return sorted(
        path
        for reused in (warehouse / "lake" / "runs").glob("*/files/reused-*.parquet")
        for path in pq.read_table(reused)["source_path"].to_pylist()
    )


def test_a_run_loads_the_commit_and_reads_only_changed_blobs(cms: CmsRepo, tmp_path: Path) -> None:
    warehouse = tmp_path / "wh"
    first = quicktakes_etl(source=cms.url, path=PATH, ref=cms.commits[0], warehouse=str(warehouse))
    assert (first.files_seen, first.files_read, first.files_rejected) == (10, 10, 5)
    again = quicktakes_etl(source=cms.url, path=PATH, ref=cms.commits[0], warehouse=str(warehouse))
    assert (again.files_read, again.changed) == (0, False)
    renamed = quicktakes_etl(
        source=cms.url, path=PATH, ref=cms.commits[2], warehouse=str(warehouse)
    )
    events = renamed.file_events
    assert (renamed.files_read, events["added"], events["changed"], events["deleted"]) == (
        4,
        3,
        1,
        2,
    )
    assert reused_paths(warehouse) == ["biology/diffusion.md"]
    assert [row[:3] for row in runs(warehouse)] == [
        (cms.commits[0], cms.time(0), "first articles"),
        (cms.commits[0], cms.time(0), "first articles"),
        (cms.commits[2], cms.time(2), "rename two pages"),
    ]
    one_shot = quicktakes_etl(
        source=cms.url, path=PATH, ref=cms.commits[2], warehouse=str(tmp_path / "one-shot")
    )
    assert warehouse_rows(renamed.database_path) == warehouse_rows(one_shot.database_path)


def test_backfill_equals_one_run_at_head_and_keeps_each_commit(
    cms: CmsRepo, tmp_path: Path
) -> None:
    warehouse = tmp_path / "wh"
    halfway = quicktakes_etl_backfill(
        source=cms.url, path=PATH, to_ref=cms.commits[2], warehouse=str(warehouse)
    )
    assert [commit.sha for commit in halfway.loaded] == cms.commits[:3]
    rest = quicktakes_etl_backfill(source=cms.url, path=PATH, warehouse=str(warehouse))
    touching = [sha for number, sha in enumerate(cms.commits) if number != 3]
    assert [commit.sha for commit in rest.loaded] == touching[3:]
    assert [row[:2] for row in runs(warehouse)] == [
        (sha, cms.time(cms.commits.index(sha))) for sha in touching
    ]
    assert reused_paths(warehouse) == ["biology/diffusion.md", "biology/what-is-osmosis.md"]
    nothing = quicktakes_etl_backfill(source=cms.url, path=PATH, warehouse=str(warehouse))
    assert nothing.loaded == [] and len(runs(warehouse)) == len(touching)
    head = quicktakes_etl(source=cms.url, path=PATH, warehouse=str(tmp_path / "head"))
    assert warehouse_rows(warehouse / "quicktakes.duckdb") == warehouse_rows(head.database_path)
    for number in (1, 2, 4):
        tree = quicktakes_etl(
            source=cms.url,
            path=PATH,
            ref=cms.commits[number],
            warehouse=str(tmp_path / str(number)),
        )
        assert articles_at(warehouse / "quicktakes.duckdb", cms.time(number)) == articles_at(
            Path(tree.database_path)
        ), number


def test_a_killed_backfill_goes_on_after_its_last_loaded_commit(
    cms: CmsRepo, tmp_path: Path
) -> None:
    """SIGKILL while the third commit merges: the two before it stay, the next backfill
    loads the rest once, and the end equals one run at HEAD."""
    warehouse = tmp_path / "wh"
    command = subprocess.Popen(
        [str(CLI), "backfill", "--source", cms.url, "--path", PATH, "--warehouse", str(warehouse)],
        env=cli_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    assert command.stdout is not None
    loaded = 0
    for line in command.stdout:
        loaded += "loaded: " in line and "Commit " in line
        if loaded == 2 and "Merging the run" in line:
            os.killpg(command.pid, signal.SIGKILL)
            break
    command.wait(timeout=60)
    assert loaded == 2
    touching = [sha for number, sha in enumerate(cms.commits) if number != 3]
    rest = quicktakes_etl_backfill(source=cms.url, path=PATH, warehouse=str(warehouse))
    assert [commit.sha for commit in rest.loaded] == touching[2:]
    assert [row[0] for row in runs(warehouse) if row[3] == "succeeded"] == touching
    head = quicktakes_etl(source=cms.url, path=PATH, warehouse=str(tmp_path / "head"))
    assert warehouse_rows(warehouse / "quicktakes.duckdb") == warehouse_rows(head.database_path)


def test_backfill_stops_at_a_mass_deletion_naming_the_commit(tmp_path: Path) -> None:
    cms = CmsRepo(tmp_path / "cms")
    cms.copy_tree(FIXTURES / "corpus" / "learn", PATH)
    cms.commit("first articles")
    for folder in ("biology", "psychology"):
        cms.remove(f"{PATH}/{folder}")
    cms.commit("remove most pages")
    warehouse = tmp_path / "wh"
    with pytest.raises(MassDeletion, match=rf"^commit {cms.commits[1][:9]} \(remove most pages\)"):
        quicktakes_etl_backfill(source=cms.url, path=PATH, warehouse=str(warehouse))
    assert [row[3] for row in runs(warehouse)] == ["succeeded", "failed"]
    done = quicktakes_etl_backfill(
        source=cms.url, path=PATH, warehouse=str(warehouse), allow_mass_delete=True
    )
    assert [commit.sha for commit in done.loaded] == cms.commits[1:]


def test_git_daemon_remote_pulls_incrementally(cms: CmsRepo, tmp_path: Path) -> None:
    served = tmp_path / "served"
    served.mkdir()
    shutil.copytree(cms.remote, served / "cms.git")
    warehouse = tmp_path / "wh"
    with git_daemon(served) as base:
        url = f"git+{base}/cms.git"
        first = quicktakes_etl(source=url, path=PATH, ref="main~2", warehouse=str(warehouse))
        latest = quicktakes_etl(source=url, path=PATH, warehouse=str(warehouse))
    assert (first.files_seen, latest.files_seen) == (11, 10)
    assert [row[0] for row in runs(warehouse)] == [cms.commits[-3], cms.commits[-1]]
    assert warehouse_rows(latest.database_path) == warehouse_rows(
        quicktakes_etl(source=cms.url, path=PATH, warehouse=str(tmp_path / "file")).database_path
    )


def test_a_source_that_cannot_be_loaded_is_one_line_and_changes_nothing(
    cms: CmsRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    warehouse = tmp_path / "wh"

    def refused(*options: str) -> str:
        argv = ["run", "--source", cms.url, "--path", PATH, "--warehouse", str(warehouse)]
        assert main([*argv, *options]) == 1
        err = capsys.readouterr().err
        assert "Traceback" not in err
        return err.strip().splitlines()[-1]

    assert "'no-such-branch' is not a commit of" in refused("--ref", "no-such-branch")
    assert "path 'content/nothing' is not a folder at commit" in refused(
        "--path", "content/nothing"
    )
    assert not (warehouse / "quicktakes.duckdb").exists()
    assert main(["run", "--source", cms.url, "--path", PATH, "--warehouse", str(warehouse)]) == 0
    capsys.readouterr()
    held = runs(warehouse)
    assert "is older than commit" in refused("--ref", cms.commits[1])
    cms.rewrite_last("an admin rewrote history")
    assert "the remote's history was rewritten" in refused()
    assert runs(warehouse)[: len(held)] == held
    assert [row[3] for row in runs(warehouse)[len(held) :]] == ["failed", "failed"]


def test_an_unreachable_remote_is_tried_again_then_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as held:
        # bound, never listening: connecting is refused, and no other test's git daemon
        # can take the port meanwhile (a stopped daemon's port was, once, under xdist)
        held.bind(("127.0.0.1", 0))
        gone = f"git+git://127.0.0.1:{held.getsockname()[1]}/cms.git"
        argv = ["run", "--source", gone, "--warehouse", str(tmp_path / "wh")]
        assert main(argv) == 1
    line = capsys.readouterr().err.strip().splitlines()[-1]
    assert line.startswith(
        f"quicktakes-etl: error: run failed: cannot fetch {gone[4:]} (after 4 attempts)"
    )
    assert not (tmp_path / "wh" / "quicktakes.duckdb").exists()


def test_a_shallow_or_damaged_cache_is_one_line(cms: CmsRepo, tmp_path: Path) -> None:
    warehouse = tmp_path / "wh"
    quicktakes_etl(source=cms.url, path=PATH, warehouse=str(warehouse))
    (cache,) = (warehouse / ".state" / "git").iterdir()
    (cache / "shallow").write_text(cms.commits[0] + "\n")
    with pytest.raises(GitSourceError, match="is shallow"):
        quicktakes_etl(source=cms.url, path=PATH, warehouse=str(warehouse))
    (cache / "shallow").unlink()
    (cache / "HEAD").write_text("not a ref")
    with pytest.raises(GitSourceError, match="is damaged"):
        quicktakes_etl(source=cms.url, path=PATH, warehouse=str(warehouse))
    shutil.rmtree(cache)
    assert quicktakes_etl(source=cms.url, path=PATH, warehouse=str(warehouse)).files_read == 0
