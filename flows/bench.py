"""The speed-and-scale benchmark: the naive loop and the pipeline, in one process tree.

Every figure of a comparison comes from the same invocation: each case runs as a
child process, timed by wall clock, with its peak RSS from ``wait4``: the largest
process of its tree, counting the processes it left to the system (the worker pools'
server and what it forked) through a subreaper. Pipeline runs go against a running
Prefect server, started here when ``PREFECT_API_URL`` is not set.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tarfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from flows.corpus_gen import edit_files, generate_corpus, scale_corpus
from flows.storage import discover_article_files

SHARED_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
HISTORY_PATH = "content/learn"
"""The articles' folder in the history bundle."""
BACKFILL_WAREHOUSE = "git-backfill"
GENERATED_ARTICLES = 33_500
SERVER_START_TIMEOUT = 180.0
CHANGED_SHARE = 0.01
FIXED_RUNS = 3
"""The fixed cost is the median of this many 1-file runs: single runs here ranged from
2.7 to 4.0 s, and every data time is measured against it."""
NOOP_RUNS = 3
"""Runs that change nothing, in a row, as a schedule makes them: the first after a load
copies the analysts' file to add its record, the next ones add theirs to the spare. The
targets take their median, as they take the fixed cost's; each is shown too."""
NOOP_CASE = f"no-op rerun (median of {NOOP_RUNS})"
GIT_NOOP_CASE = f"git: no-op pull (median of {NOOP_RUNS})"
GB = 1e9
NAIVE_LOOP = """
import pathlib, sys
import frontmatter
count = 0
for path in sorted(pathlib.Path(sys.argv[1]).rglob("*.md")):
    frontmatter.load(path)
    count += 1
print(count, "files")
"""
REAPER = """
import ctypes, os, subprocess, sys
libc = ctypes.CDLL(None)
if hasattr(libc, "prctl"):
    libc.prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER, Linux only
code = subprocess.call(sys.argv[1:])
while True:
    try:
        os.wait()
    except ChildProcessError:
        sys.exit(code)
"""
"""Runs a case and reaps every process of its tree, orphans included, so that their peak
RSS reaches ``wait4``: the flow's forkserver is never waited for by the flow's process,
and without this the build process forked from it (727 MiB at 10x) went uncounted."""
_FLOW_SECONDS = re.compile(r"succeeded in ([0-9.]+) s")


class BenchError(Exception):
    """A benchmark case failed; the message names its log."""


@dataclass(frozen=True, slots=True)
class Case:
    name: str
    files: int
    wall_seconds: float
    peak_rss_bytes: int
    flow_seconds: float | None = None

    @property
    def files_per_second(self) -> float:
        return self.files / self.wall_seconds if self.wall_seconds else 0.0


@dataclass(frozen=True, slots=True)
class Target:
    name: str
    value: float
    limit: float

    @property
    def met(self) -> bool:
        return self.value <= self.limit


@dataclass(frozen=True, slots=True)
class Sizes:
    """Bytes on disk of a warehouse's parts, and its run count, at one moment."""

    runs: int
    state_bytes: int
    published_bytes: int
    lake_bytes: int


def run_bench(
    scale: int,
    corpus: Path | None,
    work: Path,
    runners: list[str],
    workers: int | None,
    noop_runs: int = 0,
    history: Path | None = None,
) -> tuple[list[Case], list[Target], list[Sizes], Sizes | None]:
    """Build the corpus copies, then time the naive loop and the pipeline's runs; with
    ``noop_runs``, measure the warehouse's growth over that many runs that change nothing;
    with a git ``history`` (a bundle), time loading it from git: HEAD, a pull that finds
    nothing new, and the backfill of every commit, and give the backfill's sizes."""
    base = _base_corpus(corpus, work)
    scaled = _scaled_corpus(base, work, scale)
    files = len(discover_article_files(scaled))
    one_file = _one_file_corpus(scaled, work / "corpus-1-file")
    with _prefect_server(work) as env:
        cases = [
            measure("naive loop", [sys.executable, "-c", NAIVE_LOOP, str(scaled)], files, env, work)
        ]
        pipeline = _PipelineRuns(env, work, workers)
        fixed = [
            pipeline.run(f"fixed cost, run {n}", one_file, 1, f"fixed-{n}", runners[0])
            for n in range(1, FIXED_RUNS + 1)
        ]
        cases.append(_median(fixed, f"fixed cost (1 file, median of {FIXED_RUNS})"))
        for runner in runners:
            cases.append(pipeline.run(f"full load ({runner})", scaled, files, runner, runner))
        noops = [
            pipeline.run(f"no-op rerun {n} of {NOOP_RUNS}", scaled, files, runners[0], runners[0])
            for n in range(1, NOOP_RUNS + 1)
        ]
        cases += [*noops, _median(noops, NOOP_CASE)]
        edited = edit_files(scaled, CHANGED_SHARE, seed=scale)
        cases.append(
            pipeline.run(
                f"rerun, {len(edited):,} files edited", scaled, files, runners[0], runners[0]
            )
        )
        cases.append(pipeline.rebuild("rebuild from the lake", files, runners[0]))
        grown = pipeline.noop_growth(scaled, runners[0], noop_runs) if noop_runs else []
        if scale > 1:
            cases.append(
                pipeline.run(
                    "full load at 1x", base, len(discover_article_files(base)), "1x", runners[0]
                )
            )
        backfilled = None
        if history is not None:
            cases += pipeline.git_cases(history)
            backfilled = sizes(work / "warehouses" / BACKFILL_WAREHOUSE)
    return cases, targets(cases, scale), grown, backfilled


def targets(cases: list[Case], scale: int) -> list[Target]:
    """The issue's targets: data time (wall minus the fixed cost, at least 0) over the naive
    loop's wall time, the fixed cost itself, peak memory, and growth from 1x to ``scale``."""
    by_name = {case.name: case for case in cases}
    naive = by_name["naive loop"].wall_seconds
    fixed = next(case for case in cases if case.name.startswith("fixed cost (")).wall_seconds

    def data_time(case: Case) -> float:
        return max(case.wall_seconds - fixed, 0.0)

    full = next(case for case in cases if case.name.startswith("full load ("))
    noop = by_name[NOOP_CASE]
    changed = next(case for case in cases if case.name.startswith("rerun, "))
    found = [
        Target("fixed cost, s", fixed, 3.0),
        Target("full load data time / naive loop", data_time(full) / naive, 0.9),
        Target("no-op rerun data time / naive loop", data_time(noop) / naive, 0.03),
        Target("1% changed rerun data time / naive loop", data_time(changed) / naive, 0.1),
        Target("peak RSS of any run, GB", max(c.peak_rss_bytes for c in cases[1:]) / GB, 1.0),
        Target(
            "peak RSS of the reruns, GB",
            max(c.peak_rss_bytes for c in cases if c.name.startswith(("no-op rerun", "rerun,")))
            / GB,
            0.5,
        ),
    ]
    if "git: backfill" in by_name:
        git_full = by_name["git: full load of HEAD"]
        found.append(
            Target(
                "git backfill data time / git full load's",
                data_time(by_name["git: backfill"]) / max(data_time(git_full), 1e-9),
                4.0,
            )
        )
        found.append(
            Target(
                "git no-op pull data time / naive loop",
                data_time(by_name[GIT_NOOP_CASE]) / naive,
                0.03,
            )
        )
    if "full load at 1x" in by_name:
        growth = data_time(full) / max(data_time(by_name["full load at 1x"]), 1e-9)
        found.append(Target(f"{scale}x data time / 1x data time", growth, 1.1 * scale))
    return found


def _median(runs: list[Case], name: str) -> Case:
    return replace(sorted(runs, key=lambda case: case.wall_seconds)[len(runs) // 2], name=name)


def measure(name: str, argv: list[str], files: int, env: dict[str, str], work: Path) -> Case:
    """Run one case as a child process; wall time and the peak RSS of its process tree."""
    log = work / "logs" / f"{_slug(name)}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    print(f"  {name} ...", end="", flush=True, file=sys.stderr)
    with log.open("w") as output:
        started = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, "-I", "-c", REAPER, *argv],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise BenchError(f"{name} exited with {child.returncode}; see {log}")
    seconds = _FLOW_SECONDS.findall(log.read_text(errors="replace"))
    print(f" {wall:.1f} s", file=sys.stderr)
    return Case(name, files, wall, usage.ru_maxrss * 1024, float(seconds[-1]) if seconds else None)


class _PipelineRuns:
    def __init__(self, env: dict[str, str], work: Path, workers: int | None) -> None:
        self.env, self.work, self.workers = env, work, workers

    def run(self, name: str, source: Path, files: int, warehouse: str, runner: str) -> Case:
        argv = [sys.executable, "-m", "flows.cli", "run", "--source", str(source)]
        argv += ["--warehouse", str(self.work / "warehouses" / warehouse), "--runner", runner]
        argv += ["--workers", str(self.workers)] if self.workers else []
        return measure(name, argv, files, self.env, self.work)

    def rebuild(self, name: str, files: int, warehouse: str) -> Case:
        argv = [sys.executable, "-m", "flows.cli", "rebuild"]
        argv += ["--warehouse", str(self.work / "warehouses" / warehouse)]
        return measure(name, argv, files, self.env, self.work)

    def git_cases(self, bundle: Path) -> list[Case]:
        """A bare clone of the history as the remote: HEAD loaded whole, pulled again with
        nothing new (``NOOP_RUNS`` times), and every commit backfilled into a warehouse of
        its own."""
        remote = self.work / "history.git"
        shutil.rmtree(remote, ignore_errors=True)
        subprocess.run(["git", "clone", "--quiet", "--bare", str(bundle), str(remote)], check=True)
        head = discover_article_files_at(remote)
        source = ["--source", f"git+{remote.as_uri()}", "--path", HISTORY_PATH]
        pulls = []
        for name in ["git: full load of HEAD"] + [
            f"git: no-op pull {n} of {NOOP_RUNS}" for n in range(1, NOOP_RUNS + 1)
        ]:
            argv = [sys.executable, "-m", "flows.cli", "run", *source]
            argv += ["--warehouse", str(self.work / "warehouses" / "git-head")]
            pulls.append(measure(name, argv, head, self.env, self.work))
        cases = [*pulls, _median(pulls[1:], GIT_NOOP_CASE)]
        argv = [sys.executable, "-m", "flows.cli", "backfill", *source, "--allow-mass-delete"]
        argv += ["--warehouse", str(self.work / "warehouses" / BACKFILL_WAREHOUSE)]
        cases.append(measure("git: backfill", argv, head, self.env, self.work))
        return cases

    def noop_growth(self, source: Path, runner: str, runs: int) -> list[Sizes]:
        """Sizes of the runner's warehouse before and after ``runs`` runs that change nothing."""
        folder = self.work / "warehouses" / runner
        before = sizes(folder)
        for number in range(1, runs + 1):
            self.run(f"no-op run {number} of {runs}", source, 0, runner, runner)
        return [before, sizes(folder)]


def discover_article_files_at(remote: Path) -> int:
    """The article files at the remote's HEAD."""
    listing = subprocess.run(
        ["git", "-C", str(remote), "ls-tree", "-r", "--name-only", "HEAD", "--", HISTORY_PATH],
        capture_output=True,
        text=True,
        check=True,
    )
    return sum(1 for line in listing.stdout.splitlines() if line.endswith(".md"))


def sizes(warehouse: Path) -> Sizes:
    import duckdb

    from flows.settings import Layout

    layout = Layout(warehouse)
    with duckdb.connect(str(layout.state_path), read_only=True) as con:
        row = con.execute("select count(*) from etl.runs").fetchone()
    lake = sum(f.stat().st_size for f in layout.lake_dir.rglob("*") if f.is_file())
    return Sizes(
        int(row[0]) if row else 0,
        layout.state_path.stat().st_size,
        layout.database_path.stat().st_size,
        lake,
    )


def render(
    cases: list[Case],
    found: list[Target],
    cores: int,
    grown: list[Sizes],
    backfilled: Sizes | None = None,
) -> str:
    """The table a reader compares: one row per case, then the targets and, when measured,
    the warehouse's growth over runs that changed nothing and the backfill's sizes."""
    naive = cases[0].wall_seconds
    header = ("wall s", 8), ("flow s", 7), ("files/s", 9), ("peak RSS MiB", 13), ("x naive", 8)
    lines = [f"{'case':<34}" + "".join(f" {title:>{width}}" for title, width in header)]
    for case in cases:
        flow = f"{case.flow_seconds:.1f}" if case.flow_seconds is not None else "-"
        lines.append(
            f"{case.name:<34} {case.wall_seconds:>8.1f} {flow:>7} {case.files_per_second:>9,.0f} "
            f"{case.peak_rss_bytes / 2**20:>13,.0f} {case.wall_seconds / naive:>8.3f}"
        )
    lines += ["", f"targets ({cores} cores; data time = wall - fixed cost):"]
    lines += [
        f"  {'met ' if t.met else 'MISS'} {t.name:<44} {t.value:>8.3f}  (limit {t.limit:g})"
        for t in found
    ]
    if grown:
        before, after = grown
        runs = after.runs - before.runs
        lines += ["", f"sizes after {runs} runs that changed nothing (bytes; growth per run):"]
        for label, first, last in (
            ("state file", before.state_bytes, after.state_bytes),
            ("published copy", before.published_bytes, after.published_bytes),
            ("lake", before.lake_bytes, after.lake_bytes),
        ):
            lines.append(
                f"  {label:<15} {first:>15,} -> {last:>15,}  ({(last - first) / runs:,.0f})"
            )
    if backfilled:
        lines += [
            "",
            f"after the git backfill ({backfilled.runs} runs): state file "
            f"{backfilled.state_bytes:,} bytes, published copy {backfilled.published_bytes:,}, "
            f"lake {backfilled.lake_bytes:,}",
        ]
    return "\n".join(lines)


def report_json(
    cases: list[Case],
    found: list[Target],
    scale: int,
    cores: int,
    grown: list[Sizes],
    backfilled: Sizes | None = None,
) -> str:
    return json.dumps(
        {
            "scale": scale,
            "cores": cores,
            "cases": [asdict(case) | {"files_per_second": case.files_per_second} for case in cases],
            "targets": [asdict(t) | {"met": t.met} for t in found],
            "noop_growth": [asdict(size) for size in grown],
            "backfill_sizes": asdict(backfilled) if backfilled else None,
        },
        indent=2,
    )


def _base_corpus(corpus: Path | None, work: Path) -> Path:
    """The real corpus (a folder or the shared .tar.gz) or, without one, a generated one."""
    found = corpus or (SHARED_CORPUS if SHARED_CORPUS.is_dir() else None)
    if found is not None and found.is_dir() and not any(found.glob("*.tar.gz")):
        return found
    target = work / "corpus-base"
    if target.is_dir():
        shutil.rmtree(target)
    if found is None:
        print(f"  no real corpus: generating {GENERATED_ARTICLES:,} articles", file=sys.stderr)
        generate_corpus(target, GENERATED_ARTICLES)
        return target
    archive = found if found.is_file() else sorted(found.glob("*.tar.gz"))[0]
    print(f"  extracting {archive}", file=sys.stderr)
    with tarfile.open(archive) as tar:
        tar.extractall(target, filter="data")
    return target


def _scaled_corpus(base: Path, work: Path, scale: int) -> Path:
    """A private copy (edited by the 1% case), ``scale`` times the base with new ids."""
    target = work / f"corpus-{scale}x"
    if target.is_dir():
        shutil.rmtree(target)
    print(f"  writing the {scale}x corpus", file=sys.stderr)
    scale_corpus(base, target, scale)
    return target


def _one_file_corpus(corpus: Path, target: Path) -> Path:
    first = discover_article_files(corpus)[0]
    (target / first).parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(corpus / first, target / first)
    return target


@contextlib.contextmanager
def _prefect_server(work: Path) -> Iterator[dict[str, str]]:
    """The environment for runs: the given PREFECT_API_URL, or a server started for the bench."""
    env = dict(os.environ, PREFECT_SERVER_ANALYTICS_ENABLED="false", DO_NOT_TRACK="1")
    if env.get("PREFECT_API_URL"):
        yield env
        return
    port = _free_port()
    env["PREFECT_HOME"] = str(work / "prefect-home")
    env["PREFECT_API_URL"] = f"http://127.0.0.1:{port}/api"
    print(f"  starting a Prefect server on port {port}", file=sys.stderr)
    log = (work / "prefect-server.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "prefect",
            "server",
            "start",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_for_health(env["PREFECT_API_URL"], server)
        yield env
    finally:
        server.terminate()
        server.wait(30)
        log.close()


def _wait_for_health(api_url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise BenchError(f"the Prefect server exited with {server.returncode}")
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(f"{api_url}/health", timeout=2) as response,
        ):
            if response.status == 200:
                return
        time.sleep(0.5)
    raise BenchError(f"the Prefect server did not answer within {SERVER_START_TIMEOUT:.0f} s")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
