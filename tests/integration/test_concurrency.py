"""Runs and analysts share a warehouse: one writer at a time, readers never blocked."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pytest

from flows.lock import WarehouseBusy, warehouse_lock
from flows.warehouse import spare_copy
from tests.conftest import (
    FIXTURES,
    PROJECT_ROOT,
    assert_rebuilds_the_same,
    count_articles,
    open_session,
    render_article,
    warehouse_rows,
)

CLI = Path(sys.executable).parent / "quicktakes-etl"
CORPUS = FIXTURES / "corpus"
HOLD_LOCK = (
    "import sys; from pathlib import Path; from flows.lock import warehouse_lock\n"
    "with warehouse_lock(Path(sys.argv[1]), 0, 'test holder'):\n"
    "    print('locked', flush=True); sys.stdin.read()\n"
)


@pytest.fixture
def lock_holder(tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the run lock of tmp_path/wh until the test kills it."""
    (tmp_path / "wh").mkdir()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(tmp_path / "wh")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=PROJECT_ROOT,
    )
    assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
    yield holder
    holder.kill()
    holder.wait()


def test_lock_refuses_a_second_writer_and_frees_when_its_holder_is_killed(
    tmp_path: Path, lock_holder: subprocess.Popen[str]
) -> None:
    started = time.monotonic()
    busy = r"\(test holder pid \d+\); gave up after waiting 1 s"
    with pytest.raises(WarehouseBusy, match=busy), warehouse_lock(tmp_path / "wh", 1.0, "second"):
        pass
    assert time.monotonic() - started >= 1.0
    lock_holder.send_signal(signal.SIGKILL)
    lock_holder.wait()
    with warehouse_lock(tmp_path / "wh", 0, "third"):
        pass


def cli_env() -> dict[str, str]:
    """The test Prefect server's URL, so CLI processes skip the ephemeral server."""
    from prefect.settings import PREFECT_API_URL

    return {**os.environ, "PREFECT_API_URL": str(PREFECT_API_URL.value())}


def run_cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CLI), "run", *args],
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.mark.usefixtures("prefect_server")
def test_second_run_waits_for_the_lock_or_gives_up(
    tmp_path: Path, lock_holder: subprocess.Popen[str]
) -> None:
    warehouse = tmp_path / "wh"
    refused = run_cli("--source", str(CORPUS), "--warehouse", str(warehouse), "--lock-timeout", "0")
    assert refused.returncode == 1
    busy = "quicktakes-etl: error: run failed: another run is writing this warehouse (test holder"
    assert [line for line in refused.stderr.splitlines() if line.startswith(busy)], refused.stderr
    assert "Traceback" not in refused.stderr
    assert not (warehouse / "quicktakes.duckdb").exists()

    waiting = subprocess.Popen(
        [
            str(CLI),
            "run",
            "--source",
            str(CORPUS),
            "--warehouse",
            str(warehouse),
            "--lock-timeout",
            "120",
        ],
        env=cli_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert waiting.stderr is not None
    before_kill = []
    for line in waiting.stderr:
        before_kill.append(line)
        if "Waiting up to 120 s for another run to finish" in line:
            break
    assert waiting.poll() is None, "".join(before_kill)
    lock_holder.kill()
    out, rest = waiting.communicate(timeout=300)
    err = "".join(before_kill) + rest
    assert waiting.returncode == 0, err[-2000:]
    assert "Warehouse ready" in out
    assert err.count("Waiting up to 120 s for another run to finish (test holder pid") == 1
    with duckdb.connect(str(warehouse / "quicktakes.duckdb"), read_only=True) as con:
        recorded = con.execute(
            "select run_no, status, error_message, article_count from etl.runs order by run_no"
        ).fetchall()
    timed_out = "WarehouseBusy: another run is writing this warehouse (test holder pid"
    assert [(no, status, (error or "")[: len(timed_out)]) for no, status, error, _ in recorded] == [
        (1, "timed out", timed_out),
        (2, "succeeded", ""),
    ]
    assert recorded[0][3] is None and recorded[1][3] > 0


@pytest.mark.usefixtures("prefect_server")
def test_a_run_that_gave_up_on_the_lock_is_published_by_the_next_run_even_a_no_op(
    tmp_path: Path,
) -> None:
    """The next run records the note the refused run left; changing nothing itself, it
    must still publish the state (the analysts' file lacks that record), not add its own
    record to the analysts' file alone."""
    warehouse = tmp_path / "wh"
    assert run_cli("--source", str(CORPUS), "--warehouse", str(warehouse)).returncode == 0
    with warehouse_lock(warehouse, 0, "test holder"):
        refused = run_cli(
            "--source", str(CORPUS), "--warehouse", str(warehouse), "--lock-timeout", "0"
        )
    assert refused.returncode == 1, refused.stderr[-2000:]
    quiet = run_cli("--source", str(CORPUS), "--warehouse", str(warehouse))
    assert quiet.returncode == 0, quiet.stderr[-2000:]
    with duckdb.connect(str(warehouse / "quicktakes.duckdb"), read_only=True) as con:
        assert con.execute(
            "select run_no, status, load_mode from etl.runs order by run_no"
        ).fetchall() == [
            (1, "succeeded", "full"),
            (2, "timed out", None),
            (3, "succeeded", "unchanged"),
        ]


@pytest.mark.usefixtures("prefect_server")
@pytest.mark.parametrize("flags", [(), ("-readonly",)], ids=["read-write", "read-only"])
def test_run_succeeds_while_an_analyst_holds_the_warehouse_open(
    tmp_path: Path, flags: tuple[str, ...]
) -> None:
    from flows.etl import quicktakes_etl

    warehouse = tmp_path / "wh"
    source = tmp_path / "source"
    (source / "learn" / "x").mkdir(parents=True)
    (source / "learn" / "x" / "a.md").write_text(render_article(article_id=1))
    database = Path(quicktakes_etl(source=str(source), warehouse=str(warehouse)).database_path)

    session = open_session(database, *flags)
    assert count_articles(session) == "1"
    (source / "learn" / "x" / "b.md").write_text(render_article(article_id=2))
    quicktakes_etl(source=str(source), warehouse=str(warehouse))
    assert count_articles(session) == "1"
    fresh = open_session(database, "-readonly")
    assert count_articles(fresh) == "2"
    for process in (session, fresh):
        assert process.stdin is not None
        process.stdin.close()
        assert process.wait(timeout=30) == 0


def write_corpus(root: Path, count: int, version: str) -> None:
    """A generated corpus big enough for a run to have phases worth killing."""
    for number in range(count):
        folder = root / "learn" / f"subject-{number % 7}"
        folder.mkdir(parents=True, exist_ok=True)
        answer = rf"{version}.\n\n1. **One**: first {number}.\n2. **Two**: second."
        (folder / f"article-{number:05d}.md").write_text(
            render_article(article_id=number, answer=answer, slug=f"subject-{number % 7}")
        )


def as_a_shell_starts_it() -> None:
    """A shell starts a command with SIGINT and SIGTERM unblocked and at their defaults,
    whatever the process starting it has: a pytest-xdist worker runs with SIGINT, SIGQUIT
    and SIGHUP ignored (its /proc status showed SigIgn 0x1001007), a disposition children
    inherit, and commands it started ran to the end through the Ctrl-C these tests send."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def signal_run(
    source: Path,
    warehouse: Path,
    marker: str,
    sig: signal.Signals,
    *options: str,
    group: bool = True,
    env: dict[str, str] | None = None,
) -> tuple[int, str]:
    """Start ``run`` in a process group of its own, as a terminal would, and send ``sig``
    to the group (a terminal's Ctrl-C) or to the command alone (``kill``) once a line it
    prints matches the ``marker`` pattern; returns its exit status and all it printed."""
    command = subprocess.Popen(
        [str(CLI), "run", "--source", str(source), "--warehouse", str(warehouse), *options],
        env=cli_env() if env is None else env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        preexec_fn=as_a_shell_starts_it,
    )
    assert command.stdout is not None
    printed = []
    for line in command.stdout:
        printed.append(line)
        if re.search(marker, line):
            (os.killpg if group else os.kill)(command.pid, sig)
            break
    rest, _ = command.communicate(timeout=300)
    return command.returncode, "".join(printed) + rest


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_server")
@pytest.mark.parametrize(
    "marker",
    [
        "Found 3,000 article files",
        "Parsed batch 3/8",
        "Merging the run into the warehouse state",
        r"Task run 'merge-\w+' - Finished",
        "Publishing: the run is committed",
    ],
    ids=["walked", "parsing", "merging", "committed", "publishing"],
)
def test_killed_run_leaves_the_last_good_state_and_the_next_run_completes(
    tmp_path: Path, marker: str
) -> None:
    source, warehouse = tmp_path / "source", tmp_path / "wh"
    write_corpus(source, 3000, "before")
    assert run_cli("--source", str(source), "--warehouse", str(warehouse)).returncode == 0
    database = warehouse / "quicktakes.duckdb"
    before = warehouse_rows(database)
    write_corpus(source, 3000, "after")
    reference = tmp_path / "reference"
    assert run_cli("--source", str(source), "--warehouse", str(reference)).returncode == 0
    after = warehouse_rows(reference / "quicktakes.duckdb")

    status, printed = signal_run(source, warehouse, marker, signal.SIGKILL, "--batch-size", "400")
    assert status == -signal.SIGKILL, printed[-3000:]
    assert warehouse_rows(database) in (before, after)

    finished = run_cli("--source", str(source), "--warehouse", str(warehouse))
    assert finished.returncode == 0, finished.stderr[-2000:]
    assert warehouse_rows(database) == after
    assert list((warehouse / "lake" / ".pending").iterdir()) == []
    assert list((warehouse / ".work").iterdir()) == []
    assert only_published_and_spare(database)
    assert_rebuilds_the_same(warehouse, tmp_path / "scratch")


@pytest.mark.usefixtures("prefect_server")
def test_an_analysts_writes_after_a_publish_stay_out_of_the_new_file(tmp_path: Path) -> None:
    """A read-write session left open on the old file, writing on after the run published
    (a checkpoint starts a new WAL), and then killed: the published file stays the run's."""
    from flows.etl import quicktakes_etl

    source = tmp_path / "source"
    (source / "learn" / "x").mkdir(parents=True)
    (source / "learn" / "x" / "a.md").write_text(render_article(article_id=1))
    warehouse = tmp_path / "wh"
    database = Path(quicktakes_etl(source=str(source), warehouse=str(warehouse)).database_path)
    session = open_session(database)
    assert count_articles(session) == "1"
    (source / "learn" / "x" / "b.md").write_text(render_article(article_id=2))
    quicktakes_etl(source=str(source), warehouse=str(warehouse))
    assert session.stdin is not None
    session.stdin.write(
        "create table scratch as select 1 as x;\ncheckpoint;\ninsert into scratch values (2);\n"
    )
    assert count_articles(session) == "1"
    session.kill()
    session.wait(timeout=30)

    reference = quicktakes_etl(source=str(source), warehouse=str(tmp_path / "reference"))
    assert warehouse_rows(database) == warehouse_rows(reference.database_path)
    with duckdb.connect(str(database), read_only=True) as con:
        scratch = "select count(*) from duckdb_tables() where table_name = 'scratch'"
        assert con.execute(scratch).fetchone() == (0,)
    quicktakes_etl(source=str(source), warehouse=str(warehouse))
    assert only_published_and_spare(database)


def only_published_and_spare(database: Path) -> bool:
    """Whether the copies folder holds the published file and its spare, if any, alone:
    the spare is a file as a run left it, so never one a session wrote to."""
    spare = spare_copy(database)
    kept = {database.resolve().name} | ({spare.name} if spare else set())
    return {p.name for p in (database.parent / ".warehouses").iterdir()} == kept


SPARE_CORPUS = 20
"""Articles enough that one more is a share of the files small enough to replay."""


def write_article(source: Path, article_id: int, answer: str = "Intro.") -> None:
    folder = source / "learn" / "x"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{article_id}.md").write_text(render_article(article_id=article_id, answer=answer))


@pytest.mark.usefixtures("prefect_server")
def test_a_publish_brings_the_spare_file_up_to_date_instead_of_copying(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first publish leaves a spare copy; each next one replays into the spare the
    runs it lacks (a run that changed nothing publishes its record so) and publishes that
    very file, whose predecessor becomes the spare."""
    from flows.etl import quicktakes_etl

    monkeypatch.setattr("flows.merge.CATCH_UP_BYTES", 0)
    source, warehouse = tmp_path / "source", tmp_path / "wh"
    for article_id in range(1, SPARE_CORPUS + 1):
        write_article(source, article_id)
    database = Path(quicktakes_etl(source=str(source), warehouse=str(warehouse)).database_path)
    spare = database.resolve().with_name(f"{database.resolve().stem}~spare.duckdb")
    first_inode, spare_inode = database.resolve().stat().st_ino, spare.stat().st_ino
    assert not quicktakes_etl(source=str(source), warehouse=str(warehouse)).changed
    assert database.resolve().stat().st_ino == spare_inode
    write_article(source, SPARE_CORPUS + 1)
    quicktakes_etl(source=str(source), warehouse=str(warehouse))

    assert database.resolve().stat().st_ino == first_inode
    reference = quicktakes_etl(source=str(source), warehouse=str(tmp_path / "reference"))
    assert warehouse_rows(database) == warehouse_rows(reference.database_path)
    with duckdb.connect(str(database), read_only=True) as con:
        assert con.execute("select count(*) from etl.runs").fetchone() == (3,)
    assert_rebuilds_the_same(warehouse, tmp_path / "scratch")


@pytest.mark.usefixtures("prefect_server")
def test_runs_that_change_nothing_publish_their_records_without_copying(tmp_path: Path) -> None:
    """A small state, published by copy: the first run that changes nothing copies the
    analysts' file and keeps it as the spare; the next adds both runs' records to that
    spare and publishes that very file, and so on by turns, until a run changes rows:
    the spare then lacks them, and the run after copies again."""
    from flows.etl import quicktakes_etl

    source, warehouse = tmp_path / "source", tmp_path / "wh"
    for article_id in range(1, 4):
        write_article(source, article_id)
    held: list[int] = []

    def run() -> int:
        """The published file's inode, held open so that no later file can reuse it."""
        database = Path(quicktakes_etl(source=str(source), warehouse=str(warehouse)).database_path)
        held.append(os.open(database, os.O_RDONLY))
        return os.fstat(held[-1]).st_ino

    try:
        assert_takes_turns(run, source)
    finally:
        for descriptor in held:
            os.close(descriptor)
    database = warehouse / "quicktakes.duckdb"
    reference = quicktakes_etl(source=str(source), warehouse=str(tmp_path / "reference"))
    assert warehouse_rows(database) == warehouse_rows(reference.database_path)
    with duckdb.connect(str(database), read_only=True) as con:
        assert con.execute("select count(*) from etl.runs").fetchone() == (7,)
    assert only_published_and_spare(database)


def assert_takes_turns(run: Callable[[], int], source: Path) -> None:
    loaded = run()
    first_noop = run()
    assert first_noop != loaded
    assert [run(), run()] == [loaded, first_noop]
    write_article(source, 4)
    changed = run()
    after_change = run()
    assert after_change not in (loaded, first_noop, changed)
    assert run() == changed


@pytest.mark.usefixtures("prefect_server")
def test_a_spare_file_a_session_holds_is_left_alone_and_the_run_copies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.etl import quicktakes_etl

    monkeypatch.setattr("flows.merge.CATCH_UP_BYTES", 0)
    source, warehouse = tmp_path / "source", tmp_path / "wh"
    for article_id in range(1, SPARE_CORPUS + 1):
        write_article(source, article_id)
    database = Path(quicktakes_etl(source=str(source), warehouse=str(warehouse)).database_path)
    session = open_session(database, "-readonly")
    assert count_articles(session) == str(SPARE_CORPUS)
    held_inode = database.resolve().stat().st_ino
    write_article(source, SPARE_CORPUS + 1)
    quicktakes_etl(source=str(source), warehouse=str(warehouse))
    write_article(source, SPARE_CORPUS + 2)
    quicktakes_etl(source=str(source), warehouse=str(warehouse))

    assert database.resolve().stat().st_ino != held_inode
    assert count_articles(session) == str(SPARE_CORPUS)
    session.kill()
    session.wait(timeout=30)
    reference = quicktakes_etl(source=str(source), warehouse=str(tmp_path / "reference"))
    assert warehouse_rows(database) == warehouse_rows(reference.database_path)


@pytest.mark.usefixtures("prefect_server")
def test_a_run_that_read_every_file_copies_the_state_rather_than_replay(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.etl import quicktakes_etl

    monkeypatch.setattr("flows.merge.CATCH_UP_BYTES", 0)
    source, warehouse = tmp_path / "source", tmp_path / "wh"
    for article_id in range(1, 4):
        write_article(source, article_id)
    database = Path(quicktakes_etl(source=str(source), warehouse=str(warehouse)).database_path)
    spare = database.resolve().with_name(f"{database.resolve().stem}~spare.duckdb")
    spare_inode = spare.stat().st_ino
    write_article(source, 1, answer="Changed.")
    quicktakes_etl(source=str(source), warehouse=str(warehouse), full_refresh=True)

    assert database.resolve().stat().st_ino != spare_inode
    reference = quicktakes_etl(source=str(source), warehouse=str(tmp_path / "reference"))
    assert warehouse_rows(database) == warehouse_rows(reference.database_path)
