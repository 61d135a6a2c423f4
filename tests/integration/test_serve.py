"""`quicktakes-etl serve` against a real Prefect server: a triggered run fills the warehouse."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import duckdb
import pytest

from flows.cli import DEFAULT_DEPLOYMENT
from flows.etl import FLOW_NAME
from flows.settings import sample_corpus_path
from flows.warehouse import DATABASE_FILE
from tests.integration.gitrepo import CmsRepo

BIN = Path(sys.executable).parent
SERVER_START_TIMEOUT = 120.0
DEPLOYMENT_TIMEOUT = 60.0
RUN_TIMEOUT = 180.0
WAREHOUSE_TIMEOUT = 30.0
STOP_TIMEOUT = 20.0
TRIGGER_TIMEOUT = 60.0
LOG_TAIL_LINES = 40
ARTICLE_ID = re.compile(r"^id: (\d+)$", re.MULTILINE)
FLOW_RUN_ID = re.compile(r"UUID: ([0-9a-f-]{36})")
TERMINAL_STATES = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}

T = TypeVar("T")


@dataclass
class Processes:
    """Subprocesses of one test, each logging to its own file, and their log tails."""

    log_dir: Path
    running: list[subprocess.Popen[bytes]] = field(default_factory=list)
    logs: list[Path] = field(default_factory=list)

    def start(self, name: str, args: list[str], env: dict[str, str]) -> None:
        log = self.log_dir / f"{name}.log"
        self.logs.append(log)
        with log.open("wb") as out:
            self.running.append(
                subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT)
            )

    def run(self, name: str, args: list[str], env: dict[str, str]) -> str | None:
        """Run a short command, appending its output to a log; its output, or None on failure."""
        log = self.log_dir / f"{name}.log"
        if log not in self.logs:
            self.logs.append(log)
        try:
            done = subprocess.run(args, env=env, capture_output=True, timeout=TRIGGER_TIMEOUT)
        except subprocess.TimeoutExpired as timeout:
            output = (timeout.stdout or b"") + (timeout.stderr or b"")
            returncode = None
        else:
            output = done.stdout + done.stderr
            returncode = done.returncode
        with log.open("ab") as out:
            out.write(output)
        return output.decode(errors="replace") if returncode == 0 else None

    def wait_until(self, what: str, probe: Callable[[], T | None], timeout: float) -> T:
        """Poll until the probe returns a truthy value and return it; fail with the log tails."""
        deadline = time.monotonic() + timeout
        while not (result := probe()):
            exited = [proc.args for proc in self.running if proc.poll() is not None]
            if exited:
                pytest.fail(f"waiting for {what}: exited early: {exited}\n{self.tails()}")
            if time.monotonic() > deadline:
                pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}\n{self.tails()}")
            time.sleep(0.5)
        return result

    def tails(self) -> str:
        return "\n".join(f"--- {log.name} ---\n{_tail(log)}" for log in self.logs)

    def stop_all(self) -> None:
        for proc in reversed(self.running):
            _stop(proc)


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Processes]:
    procs = Processes(tmp_path)
    try:
        yield procs
    finally:
        procs.stop_all()


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _tail(log: Path) -> str:
    if not log.exists():
        return "(no log)"
    return "\n".join(log.read_text(errors="replace").splitlines()[-LOG_TAIL_LINES:])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _prefect_env(home: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        **extra,
    }


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            body: bytes = response.read()
    except OSError:
        return False
    return body.strip() == b"true"


def _terminal_state(api_url: str, flow_run_id: str) -> str | None:
    """The flow run's state type once it is terminal; None before, or while unreachable."""
    try:
        with urllib.request.urlopen(f"{api_url}/flow_runs/{flow_run_id}", timeout=5) as response:
            state: object = json.load(response).get("state_type")
    except (OSError, ValueError):
        return None
    return state if isinstance(state, str) and state in TERMINAL_STATES else None


def _warehouse_counts(database: Path) -> tuple[int, int] | None:
    """(succeeded runs, articles) once a run has succeeded; None until then or while locked."""
    if not database.exists():
        return None
    try:
        with duckdb.connect(str(database), read_only=True) as con:
            runs = con.execute(
                "select count(*) from etl.runs where status = 'succeeded'"
            ).fetchone()
            articles = con.execute("select count(*) from articles").fetchone()
    except duckdb.Error:
        return None
    if not runs or not articles or runs[0] < 1:
        return None
    return int(runs[0]), int(articles[0])


def _distinct_article_ids(source: Path) -> set[str]:
    return {
        match
        for path in source.rglob("*.md")
        for match in ARTICLE_ID.findall(path.read_text(encoding="utf-8"))
    }


@pytest.mark.slow
def test_served_deployment_runs_the_flow_into_the_warehouse(
    tmp_path: Path, processes: Processes
) -> None:
    port = _free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    home = tmp_path / "prefect-home"
    warehouse = tmp_path / "wh"
    database = warehouse / DATABASE_FILE

    processes.start(
        "server",
        [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        _prefect_env(home, PREFECT_SERVER_UI_ENABLED="false"),
    )
    processes.wait_until(
        "the Prefect server", lambda: _healthy(f"{api_url}/health"), SERVER_START_TIMEOUT
    )

    client_env = _prefect_env(home, PREFECT_API_URL=api_url, PREFECT_RUNNER_POLL_FREQUENCY="1")
    cms = CmsRepo(tmp_path / "cms")
    cms.copy_tree(sample_corpus_path() / "learn", "content/learn")
    cms.commit("the sample articles")
    serve = [str(BIN / "quicktakes-etl"), "serve", "--cron", "0 * * * *"]
    served = [*serve, "--warehouse", str(warehouse), "--batch-size", "3", "--fail-on-rejected"]
    served += ["--source", cms.url, "--path", "content/learn"]
    processes.start("serve", served, client_env)
    flow_run_id, state = run_deployment(
        processes, f"{FLOW_NAME}/{DEFAULT_DEPLOYMENT}", client_env, api_url
    )
    assert state == "COMPLETED", processes.tails()
    with urllib.request.urlopen(f"{api_url}/flow_runs/{flow_run_id}", timeout=5) as response:
        parameters = json.load(response)["parameters"]
    assert (parameters["batch_size"], parameters["fail_on_rejected"]) == (3, True)
    assert (parameters["source"], parameters["path"]) == (cms.url, "content/learn")
    _, articles = processes.wait_until(
        "a succeeded run in etl.runs", lambda: _warehouse_counts(database), WAREHOUSE_TIMEOUT
    )

    expected = len(_distinct_article_ids(sample_corpus_path()))
    assert expected > 0
    assert articles == expected, processes.tails()
    with duckdb.connect(str(database), read_only=True) as con:
        assert con.execute("select source_commit from etl.runs").fetchall() == [(cms.commits[0],)]

    empty = tmp_path / "empty"
    empty.mkdir()
    refusing = [*serve, "--name", "refusing", "--source", str(empty)]
    processes.start("serve-refusing", [*refusing, "--warehouse", str(tmp_path / "wh2")], client_env)
    _, state = run_deployment(processes, f"{FLOW_NAME}/refusing", client_env, api_url)
    assert state == "FAILED", processes.tails()
    log = (tmp_path / "serve-refusing.log").read_text(errors="replace")
    assert f"no article files (*.md) under {empty}: nothing to load" in log, log[-3000:]
    assert "Traceback" not in log, log[-6000:]


def run_deployment(
    processes: Processes, deployment: str, env: dict[str, str], api_url: str
) -> tuple[str, str]:
    """Trigger a run of a served deployment and wait for it to end: (flow run id, state)."""
    trigger = [str(BIN / "prefect"), "deployment", "run", deployment]
    output = processes.wait_until(
        f"a flow run of {deployment}",
        lambda: processes.run("deployment-run", trigger, env),
        DEPLOYMENT_TIMEOUT,
    )
    match = FLOW_RUN_ID.search(output)
    assert match, processes.tails()
    flow_run_id = match[1]
    state = processes.wait_until(
        f"the run of {deployment} to end",
        lambda: _terminal_state(api_url, flow_run_id),
        RUN_TIMEOUT,
    )
    return flow_run_id, state


def serve_error(tmp_path: Path, cron: str, api_url: str | None) -> str:
    """serve's stderr, after checking it exited 2 with one line."""
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env["PREFECT_HOME"] = str(tmp_path / "prefect-home")
    if api_url is not None:
        env["PREFECT_API_URL"] = api_url
    argv = ["serve", "--cron", cron, "--warehouse", str(tmp_path / "wh")]
    served = subprocess.run(
        [sys.executable, "-m", "flows.cli", *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert served.returncode == 2, served.stderr
    assert served.stderr.count("\n") == 1, served.stderr
    return served.stderr.strip()


def test_serve_without_a_prefect_server_is_one_line(tmp_path: Path) -> None:
    """Prefect's ephemeral server cannot keep a schedule: serve refuses it at once."""
    error = serve_error(tmp_path, "0 * * * *", None)
    assert error.startswith("quicktakes-etl: error: serve needs a running Prefect server")


def test_serve_with_an_unreachable_server_is_one_line(tmp_path: Path) -> None:
    api_url = f"http://127.0.0.1:{_free_port()}/api"
    error = serve_error(tmp_path, "0 * * * *", api_url)
    assert error.startswith(
        f"quicktakes-etl: error: cannot reach the Prefect server at PREFECT_API_URL={api_url}: "
    )


def test_serve_with_a_bad_cron_is_one_line(tmp_path: Path) -> None:
    error = serve_error(tmp_path, "99 * * *", "http://127.0.0.1:9/api")
    assert error == (
        "quicktakes-etl: error: --cron '99 * * *' is not a cron expression: give five fields, "
        "minute hour day-of-month month day-of-week, e.g. '0 * * * *' for hourly"
    )
