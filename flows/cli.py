"""The ``quicktakes-etl`` command: run the flow, serve it on a schedule, print a report,
benchmark it."""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb

from flows.analyst_file import NotAWarehouse
from flows.errors import RejectedFiles, RunRefused, print_refusals_without_tracebacks
from flows.reports import (
    FORMATS,
    ReportError,
    find_report,
    list_reports,
    output_format,
    parse_filters,
    read_report,
    write_rows,
)
from flows.settings import (
    DASHBOARD_FILE,
    DEFAULT_BATCH_SIZE,
    DEFAULT_LOCK_TIMEOUT,
    DEFAULT_WAREHOUSE,
    RUNNERS,
    WAREHOUSE_ENV,
    ConfigError,
    Layout,
    default_warehouse,
    resolve_settings,
)
from flows.warehouse import (
    DATABASE_FILE,
    IncompatibleWarehouse,
    check_state,
    first_line,
    load_search_extension,
)

PROG = "quicktakes-etl"
DEFAULT_DEPLOYMENT = "scheduled"
DEFAULT_ALERTS = "quicktakes-etl-alerts"
INTERRUPTED = 130
"""The shell's exit status for a command ended by Ctrl-C."""
_CELL_WIDTH = 60
# A fresh PREFECT_HOME makes the ephemeral server migrate its database first,
# which outlasts Prefect's 20 s default on a small machine.
_PREFECT_DEFAULTS = {
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
}
_RUN_SETTING_DEFAULTS: dict[str, Any] = {"flows.heartbeat_frequency": None}
"""A run started here sends no heartbeats unless PREFECT_FLOWS_HEARTBEAT_FREQUENCY asks for
them: they are for noticing deployments' runs that died (``serve`` keeps them), while this
command's run is watched by its terminal, and its end waited for the heartbeat thread's
one-second sleep to run out."""


class CliError(Exception):
    """An error the user can fix, printed as one line."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Load QuickTakes article files into a Parquet lake and a DuckDB warehouse.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser(
        "run",
        help="run the pipeline once, now",
        description="Run the pipeline once as a Prefect flow run.",
    )
    _add_location_options(run)
    _add_run_options(run)

    serve = commands.add_parser(
        "serve",
        help="serve the flow as a Prefect deployment on a cron schedule",
        description="Create a Prefect deployment on a cron schedule and run its flow runs "
        "until stopped (Ctrl-C pauses the schedule). Point PREFECT_API_URL at a Prefect server.",
    )
    serve.add_argument(
        "--cron", required=True, metavar="EXPR", help="cron expression, e.g. '0 * * * *' for hourly"
    )
    serve.add_argument(
        "--name",
        default=DEFAULT_DEPLOYMENT,
        help=f"deployment name (default: {DEFAULT_DEPLOYMENT})",
    )
    _add_location_options(serve)
    _add_run_options(serve)

    backfill = commands.add_parser(
        "backfill",
        help="load a git source's history, one run per commit",
        description="Load every commit of a git source that changed its folder and that the "
        "warehouse does not hold yet, oldest first, each as a run of its own with the commit's "
        "time. Stopped, it goes on from its last loaded commit when run again.",
    )
    backfill.add_argument(
        "--source",
        required=True,
        metavar="git+URL",
        help="the repository, e.g. git+file:///srv/cms.git",
    )
    backfill.add_argument(
        "--path",
        default=None,
        metavar="FOLDER",
        help="the articles' folder in it, e.g. content/learn",
    )
    backfill.add_argument(
        "--from",
        dest="from_ref",
        default=None,
        metavar="REF",
        help="first commit to load into an empty warehouse (default: the first that changed "
        "the folder)",
    )
    backfill.add_argument(
        "--to",
        dest="to_ref",
        default=None,
        metavar="REF",
        help="last commit to load: a branch, tag or commit (default: the remote's HEAD)",
    )
    backfill.add_argument(
        "--warehouse",
        metavar="DIR",
        default=None,
        help=f"output folder (default: ${WAREHOUSE_ENV}, else ./{DEFAULT_WAREHOUSE})",
    )
    backfill.add_argument(
        "--batch-size",
        type=int,
        default=DEFAULT_BATCH_SIZE,
        metavar="N",
        help="files per parse task",
    )
    backfill.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="parser processes (default: one per CPU core)",
    )
    backfill.add_argument(
        "--allow-mass-delete",
        action="store_true",
        help="go on past commits that remove more than half of the loaded articles",
    )
    backfill.add_argument(
        "--lock-timeout",
        type=float,
        default=DEFAULT_LOCK_TIMEOUT,
        metavar="SECONDS",
        help=f"wait this long for another run to finish (default: {DEFAULT_LOCK_TIMEOUT:.0f})",
    )

    alerts = commands.add_parser(
        "alerts",
        help="post to a webhook when a run fails or crashes (a Prefect automation)",
        description="Create (or replace) a Prefect webhook block and an automation on the "
        "Prefect server that POST to the webhook when a run of this flow fails or crashes. "
        "Point PREFECT_API_URL at the Prefect server the runs report to.",
    )
    alerts.add_argument(
        "--webhook", required=True, metavar="URL", help="where to POST, e.g. a chat webhook"
    )
    alerts.add_argument(
        "--name",
        default=DEFAULT_ALERTS,
        help=f"name of the block and the automation (default: {DEFAULT_ALERTS})",
    )

    bench = commands.add_parser(
        "bench",
        help="time the pipeline against the naive loop",
        description="Benchmark: time a naive frontmatter loop and the pipeline's runs (fixed "
        "cost, full load, no-op rerun, 1% changed) over a copy of the corpus, in one process "
        "tree, against a running Prefect server (PREFECT_API_URL, or one started for the "
        "bench). Prints a table and the targets, and writes JSON.",
    )
    bench.add_argument(
        "--scale", type=int, default=1, metavar="N", help="copies of the corpus, new ids each"
    )
    bench.add_argument(
        "--corpus",
        default=None,
        metavar="PATH",
        help="article folder or .tar.gz (default: ../shared/corpus beside the project when "
        "present, else a generated corpus)",
    )
    bench.add_argument(
        "--runners",
        default="pool",
        metavar="LIST",
        help="comma-separated runners to time a full load with (default: pool); the first "
        "also runs the reruns",
    )
    bench.add_argument("--workers", type=int, default=None, metavar="N", help="as for run")
    bench.add_argument(
        "--work",
        default=None,
        metavar="DIR",
        help="where corpus copies, warehouses and logs go (default: a temporary folder, "
        "removed afterwards)",
    )
    bench.add_argument(
        "--json", default=None, metavar="FILE", help="also write the figures as JSON here"
    )
    bench.add_argument(
        "--noop-runs",
        type=int,
        default=0,
        metavar="N",
        help="also run N more runs that change nothing and print how much the state, the "
        "published copy and the lake grew (default: 0)",
    )
    bench.add_argument(
        "--history",
        default=None,
        metavar="BUNDLE",
        help="a git bundle of the corpus's history to time loading from git (HEAD, a no-op "
        "pull, the backfill of every commit) at --scale 1; 'none' to skip (default: "
        "../shared/corpus's bundle when present)",
    )

    rebuild = commands.add_parser(
        "rebuild",
        help="rebuild the warehouse, history included, from the lake alone",
        description="Replay every run in the lake into a new state file with the current "
        "parsing code (parsing the kept raw bytes again where it changed), swap it in and "
        "publish it. Needs no source.",
    )
    _add_warehouse_option(rebuild)
    compact = commands.add_parser(
        "compact",
        help="merge the lake's small run partitions",
        description="Merge each sequence of consecutive small lake partitions (runs that "
        "changed little) into one; rebuild replays the same runs from it.",
    )
    _add_warehouse_option(compact)

    report = commands.add_parser(
        "report",
        help="print or write a report of the warehouse",
        description="Print one of the reports.* views, or write it to a file. Without NAME, "
        "list the reports with their descriptions.",
    )
    report.add_argument("name", nargs="?", metavar="NAME", help="report name, e.g. seo_audit")
    _add_analyst_warehouse_option(report)
    report.add_argument(
        "--where",
        action="append",
        default=[],
        metavar="COLUMN=VALUE",
        help="keep the rows whose COLUMN equals VALUE (repeatable), e.g. subject=Biology",
    )
    report.add_argument(
        "--columns", action="store_true", help="describe the report's columns instead"
    )
    report.add_argument(
        "--format",
        choices=FORMATS,
        default=None,
        help="output format (default: from -o FILE's suffix, else a table)",
    )
    report.add_argument(
        "-o", "--output", metavar="FILE", help="write to FILE (.csv, .json, .md, .parquet)"
    )
    report.add_argument("--limit", type=int, default=None, metavar="N", help="at most N rows")

    search = commands.add_parser(
        "search",
        help="full-text search of the articles, best first",
        description="Rank the current articles (title, question, answer) or, with --points, "
        "their answer points by BM25, as the search_articles and search_points macros do.",
    )
    search.add_argument("query", metavar="QUERY", help="words to search for")
    _add_analyst_warehouse_option(search)
    search.add_argument("--subject", metavar="S", help="only articles of this primary subject")
    search.add_argument("--points", action="store_true", help="rank answer points instead")
    search.add_argument(
        "--limit", type=int, default=10, metavar="N", help="at most N results (default: 10)"
    )
    search.add_argument(
        "--format",
        choices=("table", "json", "csv"),
        default="table",
        help="output format (default: table)",
    )

    docs = commands.add_parser(
        "docs",
        help="write the warehouse's data dictionary as HTML",
        description="Write a static HTML data dictionary of the analysts' file (every table, "
        "view and column with its comment, type, row count and value profile, the data "
        "model, each report's SQL); it opens offline.",
    )
    _add_analyst_warehouse_option(docs)
    docs.add_argument(
        "-o", "--output", metavar="DIR", default=None, help="folder (default: WAREHOUSE/docs)"
    )

    dashboard = commands.add_parser(
        "dashboard",
        help="write a one-page HTML dashboard of the warehouse",
        description="Write one self-contained HTML page of charts (subjects, publishing per "
        "month, points, SEO, link health, changes per run); it needs no network.",
    )
    _add_analyst_warehouse_option(dashboard)
    dashboard.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        default=None,
        help="file (default: WAREHOUSE/dashboard.html)",
    )
    return parser


def _add_analyst_warehouse_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--warehouse",
        metavar="DIR",
        default=None,
        help=f"warehouse folder (default: ${WAREHOUSE_ENV}, else ./{DEFAULT_WAREHOUSE})",
    )


def _add_warehouse_option(parser: argparse.ArgumentParser) -> None:
    _add_analyst_warehouse_option(parser)
    parser.add_argument(
        "--lock-timeout",
        type=float,
        default=DEFAULT_LOCK_TIMEOUT,
        metavar="SECONDS",
        help=f"wait this long for a run to finish (default: {DEFAULT_LOCK_TIMEOUT:.0f})",
    )


def _add_run_options(parser: argparse.ArgumentParser) -> None:
    """What a run can be told, on the command line of ``run`` and of ``serve`` alike."""
    parser.add_argument(
        "--batch-size",
        type=int,
        default=DEFAULT_BATCH_SIZE,
        metavar="N",
        help=f"files per parse task (default: {DEFAULT_BATCH_SIZE})",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="parser processes (default: one per CPU core)",
    )
    parser.add_argument(
        "--runner",
        choices=RUNNERS,
        default="pool",
        help="where batches are parsed: 'pool' (default), processes of this machine under one "
        "task each; 'prefect-process', Prefect's ProcessPoolTaskRunner; 'dask', a Dask "
        "cluster through prefect-dask",
    )
    parser.add_argument(
        "--dask-address",
        default=None,
        metavar="URL",
        help="scheduler of an existing Dask cluster, e.g. tcp://host:8786 (default with "
        "--runner dask: a LocalCluster of --workers processes)",
    )
    parser.add_argument(
        "--staging",
        default=None,
        metavar="URL",
        help="where parse workers stage their batches: a folder or fsspec URL every worker "
        "can reach (default: the warehouse's .work folder)",
    )
    parser.add_argument(
        "--full-refresh",
        action="store_true",
        help="parse every file, not only new and changed ones",
    )
    parser.add_argument(
        "--allow-mass-delete",
        action="store_true",
        help="publish even when more than half of the loaded articles would disappear",
    )
    parser.add_argument(
        "--lock-timeout",
        type=float,
        default=DEFAULT_LOCK_TIMEOUT,
        metavar="SECONDS",
        help=f"wait this long for another run to finish (default: {DEFAULT_LOCK_TIMEOUT:.0f})",
    )
    parser.add_argument(
        "--fail-on-rejected",
        action="store_true",
        help="end the run failed (exit 1) while the warehouse holds rejected files; it is "
        "still published",
    )
    parser.add_argument(
        "--dashboard",
        action="store_true",
        help="write WAREHOUSE/dashboard.html after the run publishes (see the dashboard command)",
    )


def _add_location_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--source",
        metavar="DIR",
        default=None,
        help="folder of article files: a local path, an fsspec URL such as s3://bucket/learn, "
        "or a git repository as git+URL, e.g. git+https://host/org/cms.git (default: the "
        "bundled sample corpus)",
    )
    parser.add_argument(
        "--ref",
        default=None,
        metavar="REF",
        help="with a git source: the branch, tag or commit to load (default: the remote's HEAD)",
    )
    parser.add_argument(
        "--path",
        default=None,
        metavar="FOLDER",
        help="with a git source: the articles' folder in it, e.g. content/learn (default: all)",
    )
    parser.add_argument(
        "--warehouse",
        metavar="DIR",
        default=None,
        help=f"output folder (default: ${WAREHOUSE_ENV}, else ./{DEFAULT_WAREHOUSE})",
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "run":
            return _run(args)
        if args.command == "serve":
            return _serve(args)
        if args.command == "bench":
            return _bench(args)
        if args.command == "backfill":
            return _backfill(args)
        if args.command == "alerts":
            return _alerts(args)
        if args.command == "rebuild":
            return _rebuild(args)
        if args.command == "compact":
            return _compact(args)
        if args.command == "search":
            return _search(args)
        if args.command == "docs":
            return _docs(args)
        if args.command == "dashboard":
            return _dashboard(args)
        return _report(args)
    except (ConfigError, CliError, IncompatibleWarehouse, NotAWarehouse) as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    parameters = _flow_parameters(args)
    _set_prefect_defaults()
    from prefect.exceptions import CancelledRun
    from prefect.settings import temporary_settings

    from flows.etl import quicktakes_etl

    print_refusals_without_tracebacks()
    _keep_ephemeral_server_out_of_interrupts()
    try:
        with temporary_settings(set_defaults=_RUN_SETTING_DEFAULTS):
            summary = quicktakes_etl(**parameters)
    except RejectedFiles as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 1
    except CancelledRun as cancelled:
        print(f"{PROG}: {cancelled}", file=sys.stderr)
        return INTERRUPTED
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted before the run started: nothing was published", file=sys.stderr)
        return INTERRUPTED
    except Exception as error:
        print(f"{PROG}: error: run failed: {first_line(error)}", file=sys.stderr)
        return 1
    print(f"Warehouse ready: {summary.database_path}")
    print(f"Open it with:    {_duckdb_command()} -readonly {summary.database_path}")
    return 0


def _backfill(args: argparse.Namespace) -> int:
    settings = resolve_settings(
        args.source,
        args.warehouse,
        args.batch_size,
        args.workers,
        args.lock_timeout,
        args.allow_mass_delete,
        git_ref=args.to_ref,
        git_path=args.path,
    )
    if not settings.is_git:
        raise CliError(f"backfill needs a git source (--source git+URL), got {args.source!r}")
    check_state(settings.state_path, settings.database_path)
    _set_prefect_defaults()
    from prefect.exceptions import CancelledRun

    from flows.backfill import quicktakes_etl_backfill

    print_refusals_without_tracebacks()
    _keep_ephemeral_server_out_of_interrupts()
    try:
        summary = quicktakes_etl_backfill(
            source=settings.source_root,
            path=settings.git_path or None,
            from_ref=args.from_ref,
            to_ref=settings.git_ref,
            warehouse=str(settings.warehouse_dir),
            batch_size=settings.batch_size,
            workers=args.workers,
            allow_mass_delete=settings.allow_mass_delete,
            lock_timeout=settings.lock_timeout,
        )
    except CancelledRun as cancelled:
        print(f"{PROG}: {cancelled}", file=sys.stderr)
        return INTERRUPTED
    except KeyboardInterrupt:
        print(
            f"{PROG}: interrupted before the backfill started: nothing was changed", file=sys.stderr
        )
        return INTERRUPTED
    except Exception as error:
        print(f"{PROG}: error: backfill failed: {first_line(error)}", file=sys.stderr)
        return 1
    print(summary.render())
    return 0


def _keep_ephemeral_server_out_of_interrupts() -> None:
    """With no PREFECT_API_URL, start Prefect's ephemeral server (as it would) with SIGINT
    blocked: Ctrl-C reaches the terminal's whole process group, and a server that stops
    with the run leaves the run unable to report its end (it retried for minutes, and the
    flow run stayed Running). Its ``stop`` still ends it, by SIGTERM. A blocked signal
    stays blocked across exec; the subclass takes Prefect's one instance per port."""
    from prefect.settings import PREFECT_API_URL

    if PREFECT_API_URL.value():
        return
    from prefect.server.api.server import SubprocessASGIServer

    class UninterruptedServer(SubprocessASGIServer):
        def _run_uvicorn_command(self) -> subprocess.Popen[Any]:
            blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
            try:
                return super()._run_uvicorn_command()
            finally:
                signal.pthread_sigmask(signal.SIG_SETMASK, blocked)

    UninterruptedServer()


def _flow_parameters(args: argparse.Namespace) -> dict[str, Any]:
    """The flow's parameters from ``run`` or ``serve`` options, checked first: a bad one is
    a one-line error before anything starts."""
    settings = resolve_settings(
        args.source,
        args.warehouse,
        args.batch_size,
        args.workers,
        args.lock_timeout,
        args.allow_mass_delete,
        args.full_refresh,
        args.runner,
        args.dask_address,
        args.staging,
        args.ref,
        args.path,
    )
    check_state(settings.state_path, settings.database_path)
    return {
        "source": str(settings.source_root),
        "warehouse": str(settings.warehouse_dir),
        "batch_size": settings.batch_size,
        "workers": args.workers,
        "allow_mass_delete": settings.allow_mass_delete,
        "lock_timeout": settings.lock_timeout,
        "full_refresh": settings.full_refresh,
        "runner": settings.runner,
        "dask_address": settings.dask_address,
        "staging": settings.staging,
        "fail_on_rejected": args.fail_on_rejected,
        "dashboard": args.dashboard,
        "ref": settings.git_ref,
        "path": settings.git_path or None,
    }


def _duckdb_command() -> str:
    """``duckdb`` when the shell finds it, else the CLI installed beside this Python (the
    project's .venv, which a newcomer has not activated)."""
    beside = Path(sys.executable).with_name("duckdb")
    if shutil.which("duckdb") is None and beside.is_file():
        return str(beside)
    return "duckdb"


def _serve(args: argparse.Namespace) -> int:
    parameters = _flow_parameters(args)
    _set_prefect_defaults()
    from prefect.client.schemas.schedules import CronSchedule
    from prefect.settings import PREFECT_API_URL

    try:
        CronSchedule(cron=args.cron)
    except ValueError:
        raise CliError(
            f"--cron {args.cron!r} is not a cron expression: give five fields, minute hour "
            "day-of-month month day-of-week, e.g. '0 * * * *' for hourly"
        ) from None
    api_url = PREFECT_API_URL.value()
    if not api_url:
        raise CliError(
            "serve needs a running Prefect server (an ephemeral one keeps no schedule): start "
            "'prefect server start' and set PREFECT_API_URL, as in the README's Scheduling"
        )
    _check_reachable(api_url)
    from flows.etl import quicktakes_etl

    print_refusals_without_tracebacks()
    try:
        quicktakes_etl.serve(name=args.name, cron=args.cron, parameters=parameters)
    except ValueError as error:
        raise CliError(f"cannot serve: {error}") from None
    return 0


def _alerts(args: argparse.Namespace) -> int:
    if not args.webhook.startswith(("http://", "https://")):
        raise CliError(f"--webhook must be an http:// or https:// URL, got {args.webhook!r}")
    _set_prefect_defaults()
    from prefect.settings import PREFECT_API_URL

    api_url = PREFECT_API_URL.value()
    if not api_url:
        raise CliError(
            "alerts need a running Prefect server (an ephemeral one keeps no automation): "
            "set PREFECT_API_URL to the server the runs report to"
        )
    _check_reachable(api_url)
    from flows.alerts import install_alerts

    installed = install_alerts(args.webhook, args.name)
    replaced = f", replacing {installed.replaced}" if installed.replaced else ""
    print(
        f"Alerts on: a failed or crashed run POSTs to {args.webhook} (automation "
        f"{installed.automation_id}{replaced}, webhook block {installed.block_name!r})"
    )
    return 0


def _check_reachable(api_url: str) -> None:
    """One line, not an HTTP client's traceback, when PREFECT_API_URL answers nothing."""
    import httpx

    try:
        httpx.get(f"{api_url.rstrip('/')}/health", timeout=10).raise_for_status()
    except httpx.HTTPError as error:
        raise CliError(
            f"cannot reach the Prefect server at PREFECT_API_URL={api_url}: {first_line(error)}"
        ) from None


def _bench(args: argparse.Namespace) -> int:
    from flows.bench import BenchError, render, report_json, run_bench

    runners = args.runners.split(",")
    unknown = sorted(set(runners) - set(RUNNERS))
    if unknown:
        raise CliError(f"unknown runner {unknown[0]!r}: choose from {', '.join(RUNNERS)}")
    if args.scale < 1:
        raise CliError(f"--scale must be at least 1, got {args.scale}")
    corpus = Path(args.corpus) if args.corpus else None
    if corpus is not None and not corpus.exists():
        raise CliError(f"corpus not found: {corpus}")
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="quicktakes-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    cores = os.cpu_count() or 1
    try:
        cases, targets, grown, backfilled = run_bench(
            args.scale, corpus, work, runners, args.workers, args.noop_runs, _history(args)
        )
    except BenchError as error:
        raise CliError(f"{error} (work folder kept: {work})") from None
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)
    print(render(cases, targets, cores, grown, backfilled))
    if args.json:
        Path(args.json).write_text(
            report_json(cases, targets, args.scale, cores, grown, backfilled)
        )
    return 0 if all(target.met for target in targets) else 1


def _history(args: argparse.Namespace) -> Path | None:
    """The git history to time: --history, or the shared bundle beside the project, for a
    1x bench (the history is the real corpus's)."""
    from flows.bench import SHARED_CORPUS

    if args.history == "none" or args.scale > 1:
        return None
    if args.history is not None:
        bundle = Path(args.history)
        if not bundle.is_file():
            raise CliError(f"history bundle not found: {bundle}")
        return bundle
    return next(iter(sorted(SHARED_CORPUS.glob("*.bundle"))), None)


def _maintained(args: argparse.Namespace) -> Layout:
    warehouse = _warehouse(args).resolve()
    if not warehouse.is_dir():
        raise CliError(f"warehouse folder not found: {warehouse}")
    return Layout(warehouse)


def _rebuild(args: argparse.Namespace) -> int:
    from flows.maintenance import rebuild_warehouse
    from flows.merge import parser_version

    print_refusals_without_tracebacks()
    try:
        rebuilt = rebuild_warehouse(_maintained(args), parser_version(), args.lock_timeout)
    except RunRefused as error:
        print(f"{PROG}: error: rebuild failed: {error}", file=sys.stderr)
        return 1
    print(f"Rebuilt {rebuilt.runs:,} runs from the lake in {rebuilt.seconds:.1f} s")
    print(f"Warehouse ready: {rebuilt.database_path}")
    return 0


def _compact(args: argparse.Namespace) -> int:
    from flows.maintenance import compact_lake

    try:
        compacted = compact_lake(_maintained(args), args.lock_timeout)
    except RunRefused as error:
        print(f"{PROG}: error: compact failed: {error}", file=sys.stderr)
        return 1
    mib = 2**20
    print(
        f"Lake partitions: {compacted.partitions_before:,} -> {compacted.partitions_after:,}; "
        f"size {compacted.bytes_before / mib:,.1f} MiB -> {compacted.bytes_after / mib:,.1f} MiB"
    )
    return 0


def _warehouse(args: argparse.Namespace) -> Path:
    return Path(args.warehouse).expanduser() if args.warehouse else default_warehouse()


def _analysts_file(args: argparse.Namespace) -> Path:
    database = _warehouse(args) / DATABASE_FILE
    if not database.is_file():
        raise CliError(f"no warehouse at {database}: run '{PROG} run' first")
    return database


def _report(args: argparse.Namespace) -> int:
    database = _analysts_file(args)
    if args.limit is not None and args.limit < 0:
        raise CliError(f"--limit cannot be negative, got {args.limit}")
    out = Path(args.output).expanduser() if args.output else None
    try:
        with duckdb.connect(str(database), read_only=True) as con:
            text = _report_text(con, args, out)
    except duckdb.Error as error:
        raise CliError(f"cannot read {database}: {first_line(error)}") from None
    except ReportError as error:
        raise CliError(str(error)) from None
    if text is not None:
        sys.stdout.write(text)
    elif out is not None:
        print(f"Wrote {out}", file=sys.stderr)
    return 0


def _report_text(
    con: duckdb.DuckDBPyConnection, args: argparse.Namespace, out: Path | None
) -> str | None:
    if args.name is None:
        return "".join(_described(report.name, report.description) for report in list_reports(con))
    report = find_report(con, args.name)
    if args.columns:
        return _described(report.name, report.description) + "".join(
            _described(f"  {c.name} ({c.type})", c.comment, indent=6) for c in report.columns
        )
    rows = read_report(con, report, parse_filters(args.where), args.limit)
    return write_rows(rows, output_format(out, args.format), out, format_table)


def _described(name: str, description: str, indent: int = 4) -> str:
    lines = textwrap.wrap(description, width=96 - indent) or [""]
    return name + "\n" + "".join(" " * indent + line + "\n" for line in lines)


def _search(args: argparse.Namespace) -> int:
    database = _analysts_file(args)
    if args.limit < 1:
        raise CliError(f"--limit must be at least 1, got {args.limit}")
    macro = "search_points" if args.points else "search_articles"
    try:
        with duckdb.connect(str(database), read_only=True) as con:
            load_search_extension(con)
            rows = con.execute(
                f"select * from {macro}($query) "  # one of two fixed names
                "where $subject is null or primary_subject = $subject limit $limit",
                {"query": args.query, "subject": args.subject, "limit": args.limit},
            ).to_arrow_table()
    except duckdb.Error as error:
        raise CliError(f"cannot search {database}: {first_line(error)}") from None
    sys.stdout.write(write_rows(rows, args.format, None, format_table) or "")
    return 0


def _docs(args: argparse.Namespace) -> int:
    from flows.docs import write_docs

    out = Path(args.output).expanduser() if args.output else _warehouse(args) / "docs"
    print(write_docs(_analysts_file(args), out).render())
    return 0


def _dashboard(args: argparse.Namespace) -> int:
    from flows.dashboard import write_dashboard

    out = Path(args.output).expanduser() if args.output else _warehouse(args) / DASHBOARD_FILE
    print(write_dashboard(_analysts_file(args), out).render())
    return 0


def format_table(columns: list[str], rows: list[tuple[Any, ...]]) -> str:
    """Rows as an aligned plain-text table, long cells cut to keep one row per line."""
    cells = [[_cell(value) for value in row] for row in rows]
    widths = [max([len(name), *(len(row[i]) for row in cells)]) for i, name in enumerate(columns)]
    lines = [
        "  ".join(name.ljust(width) for name, width in zip(columns, widths, strict=True)),
        "  ".join("-" * width for width in widths),
    ]
    lines += [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in cells
    ]
    lines.append(f"({len(rows)} rows)")
    return "\n".join(line.rstrip() for line in lines)


def _cell(value: Any) -> str:
    text = "" if value is None else str(value).replace("\n", " ")
    return text if len(text) <= _CELL_WIDTH else text[: _CELL_WIDTH - 1] + "…"


def _set_prefect_defaults() -> None:
    for name, value in _PREFECT_DEFAULTS.items():
        os.environ.setdefault(name, value)


if __name__ == "__main__":
    raise SystemExit(main())
