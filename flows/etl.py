"""The Prefect flow: discover → plan → parse into the run's partition → merge → publish."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import multiprocessing.forkserver
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import CancelledError, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import partial
from logging import Logger, LoggerAdapter
from pathlib import Path
from typing import Any, TypeVar, cast

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import State
from prefect.exceptions import TerminationSignal
from prefect.futures import PrefectFuture, as_completed
from prefect.runtime import flow_run
from prefect.states import Cancelled, Completed, Failed
from prefect.task_runners import ProcessPoolTaskRunner, TaskRunner

from flows import lake
from flows.errors import (
    RejectedFiles,
    leave_interrupts_to_the_parent,
    print_refusals_without_tracebacks,
)
from flows.gitsource import Commit, GitCache, GitSourceError, check_history, remote_url
from flows.lock import WarehouseBusy, warehouse_lock
from flows.merge import (
    DISCOVERED_FILE,
    TO_READ_FILE,
    Committed,
    Plan,
    catches_up,
    commit_run,
    committed_runs,
    discover_files,
    ensure_state,
    files_held,
    finish_committed,
    finish_partition,
    held_source,
    is_old_warehouse,
    next_run_no,
    note_unrecorded_run,
    parser_version,
    plan_reads,
    publish,
    publish_record,
    record_failed_run,
    record_unchanged_run,
    record_unrecorded_runs,
    replace_state,
    state_parser,
    upgrade_old_warehouse,
)
from flows.settings import (
    DASHBOARD_FILE,
    DEFAULT_BATCH_SIZE,
    DEFAULT_LOCK_TIMEOUT,
    RunSettings,
    resolve_settings,
)
from flows.storage import ARTICLE_SUFFIX, EmptySource, SourceTree, StagingArea
from flows.warehouse import (
    CheckResult,
    ChecksFailed,
    RunRecord,
    check_state,
    state_is_held,
)
from transforms import schemas

FLOW_NAME = "quicktakes-etl"
STAGING_MARKER = "staging-url"
IN_PROCESS_FILES = 500
"""Up to this many files are parsed in the flow's process: a worker process would first
wait for the pool's server to start (about a second, as long as parsing 2,000 files)."""
OWN_PROCESS_FILES = 100_000
"""Past this many files in the state, the walk and the plan run in processes of their own:
at 10x they left 250 MB of Python objects and DuckDB's buffers in the flow's process (its
peak, 590 MB, that of a no-op run); at 1x they would wait longer for the forkserver to
start (about 0.5 s) than they take."""
Log = Logger | LoggerAdapter[Logger]
Result = TypeVar("Result")


@dataclass(frozen=True)
class RunSummary:
    run_id: str
    flow_run_name: str | None
    source_root: str
    database_path: str
    seconds: float
    files_seen: int
    files_read: int
    files_stale: int
    files_changed: int
    counts: dict[str, int]
    checks: list[CheckResult]
    rejected: list[dict[str, Any]] = field(default_factory=list)
    changed: bool = True
    file_events: dict[str, int] = field(default_factory=dict)

    @property
    def files_rejected(self) -> int:
        return self.counts.get("etl.rejected_files", 0)

    def render(self) -> str:
        """The one-screen summary an operator reads after a run."""
        counts = self.counts
        warned = [check for check in self.checks if not check.passed]
        lines = [
            f"quicktakes-etl run {self.flow_run_name or self.run_id} "
            f"succeeded in {self.seconds:.1f} s",
            f"  source     {self.source_root}  ({self.files_seen:,} article files, "
            f"{self.files_read:,} read, {self.files_changed:,} changed)",
            f"  this run   {self._changes()}",
            f"  warehouse  {self.database_path}"
            + ("" if self.changed else "  (nothing changed: the same rows)"),
            f"  loaded     {self.files_seen - self.files_rejected:,} files as "
            f"{counts.get('articles', 0):,} articles in {counts.get('subjects', 0):,} subjects",
            f"  rows       {counts.get('answer_points', 0):,} answer points, "
            f"{counts.get('article_keywords', 0):,} keywords, "
            f"{counts.get('related_articles', 0):,} related links",
            f"  rejected   {self.files_rejected:,} files (etl.rejected_files), "
            f"{self.files_stale:,} of them stale: their last good rows are kept",
            f"  checks     {len(self.checks) - len(warned)} of {len(self.checks)} passed"
            + "".join(f"; WARN {c.name}: {c.failing_row_count} rows" for c in warned)
            if self.checks
            else "  checks     none run: nothing changed",
        ]
        lines += [
            f"    {row['source_path']}: {row['error_kind']}: {row['error_message']}"
            for row in self.rejected
        ]
        if self.files_rejected > len(self.rejected):
            lines.append(f"    ... and {self.files_rejected - len(self.rejected):,} more")
        return "\n".join(lines)

    def _changes(self) -> str:
        """What this run changed, where the other lines give the warehouse's totals."""
        events = self.file_events
        return (
            f"{events.get('added', 0):,} files added, {events.get('changed', 0):,} changed, "
            f"{events.get('deleted', 0):,} deleted, {events.get('rejected', 0):,} newly rejected"
        )


@task(name="rebuild-state", cache_policy=NO_CACHE)
def rebuild_task(settings: RunSettings, work: Path, parser: str, at: dt.datetime) -> int:
    """Re-derive every version in the lake with this parsing code, into a new state file
    that replaces the old one by rename."""
    return replace_state(settings.layout, work, parser, at)


@task(name="discover-source-files", cache_policy=NO_CACHE)
def discover_task(source: lake.Source, work: Path, own_process: bool) -> int:
    """Every article file with its size and mtime, written to the work folder."""
    if own_process:
        return _in_own_process(discover_files, source, work)
    return discover_files(source, work)


@task(name="plan", cache_policy=NO_CACHE)
def plan_task(
    state: Path,
    work: Path,
    partition: Path,
    read_all: bool,
    source: lake.Source,
    own_process: bool,
) -> Plan:
    """What to read, what to copy and what was deleted, decided by the state (``sql/plan``)."""
    if own_process:
        return _in_own_process(plan_reads, state, work, partition, read_all, source)
    return plan_reads(state, work, partition, read_all, source)


@task(name="parse-batch", task_run_name="parse-batch-{batch_no}", cache_policy=NO_CACHE)
def parse_batch_task(
    pool: _Pool, source: lake.Source, batch: lake.BatchSlice, staging: StagingArea, batch_no: int
) -> lake.BatchSummary:
    """One batch of thousands of files, parsed in a worker process of the flow's pool; a
    batch the interrupted run stopped ends Cancelled, not failed with a traceback. So does
    one whose task thread started after the run shut the pool (``submit`` then raises
    RuntimeError): seen in one full-suite run of the Ctrl-C test."""
    try:
        return pool.submit(lake.stage_slice, source, batch, staging, batch_no).result()
    except (BrokenProcessPool, CancelledError, RuntimeError):
        if not pool.stopped:
            raise
        return cast(lake.BatchSummary, Cancelled(message="the run was interrupted"))


@task(name="parse-batch", task_run_name="parse-batch-{batch_no}", cache_policy=NO_CACHE)
def stage_slice_task(
    source: lake.Source, batch: lake.BatchSlice, staging: StagingArea, batch_no: int
) -> lake.BatchSummary:
    """One batch parsed where the run's task runner puts it: a Dask worker, a process of
    Prefect's pool, or (a small one) a thread of this process. Only the parse goes there;
    the merge and publishing stay here."""
    return lake.stage_slice(source, batch, staging, batch_no)


@task(name="merge", cache_policy=NO_CACHE)
def merge_task(
    settings: RunSettings, partition: Path, run: RunRecord, work: Path, plan: Plan
) -> Committed:
    """Merge the partition into the state in a process of its own, so DuckDB's memory does
    not stack on this one's."""
    get_run_logger().info("Merging the run into the warehouse state in one transaction")
    return _in_own_process(
        commit_run,
        settings.state_path,
        partition,
        run,
        work / DISCOVERED_FILE,
        plan,
        settings.allow_mass_delete,
    )


@task(name="publish", cache_policy=NO_CACHE)
def publish_task(
    settings: RunSettings, partition: Path, run_id: str, rows_changed: bool, publish_file: bool
) -> None:
    """Put the run's partition into the lake, then swap in the analysts' file: a large
    state's spare is brought up to date in a process of its own (DuckDB's memory, as the
    merge's), a small one copied; a run that changed no rows adds its record alone."""
    logger = get_run_logger()
    finish_partition(settings.state_path, partition)
    if publish_file:
        logger.info("Publishing: the run is committed; the analysts' file comes next")
        logger.info("Published: %s", _publish(settings, run_id, rows_changed))


def publish_state(settings: RunSettings, run_id: str) -> str:
    """Make the analysts' file the state as of ``run_id``, with the rows of the runs
    before it that were not published yet (a backfill's)."""
    return _publish(settings, run_id, rows_changed=True)


def _publish(settings: RunSettings, run_id: str, rows_changed: bool) -> str:
    large = catches_up(settings.state_path)
    how = partial(publish if rows_changed else publish_record, catch_up=large)
    return _in_own_process(how, settings.layout, run_id) if large else how(settings.layout, run_id)


@flow(name=FLOW_NAME)
def quicktakes_etl(
    source: str | None = None,
    warehouse: str | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    workers: int | None = None,
    allow_mass_delete: bool = False,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    full_refresh: bool = False,
    runner: str = "pool",
    dask_address: str | None = None,
    staging: str | None = None,
    fail_on_rejected: bool = False,
    ref: str | None = None,
    path: str | None = None,
    dashboard: bool = False,
) -> RunSummary:
    """Load QuickTakes article files into the Parquet lake and the DuckDB warehouse.

    With no ``source`` it loads the project's sample corpus; with no
    ``warehouse``, it writes into ./warehouse. A ``git+URL`` source is fetched first,
    and ``ref`` (default: the remote's HEAD) and ``path`` (a folder in it) say what to
    load. One run at a time holds the warehouse; a second one waits up to
    ``lock_timeout`` seconds. With ``dashboard``, the published file's dashboard is
    written to ``dashboard.html`` beside it.
    """
    print_refusals_without_tracebacks()
    started_at = dt.datetime.now(dt.UTC)
    clock = time.perf_counter()
    settings = resolve_settings(
        source,
        warehouse,
        batch_size,
        workers,
        lock_timeout,
        allow_mass_delete,
        full_refresh,
        runner,
        dask_address,
        staging,
        ref,
        path,
    )
    logger = get_run_logger()
    run_id, run_name = str(flow_run.id), flow_run.name
    unlocked = RunRecord(
        run_id=run_id,
        run_no=0,
        flow_run_name=run_name,
        source_time=started_at,
        started_at=started_at,
        status="",
        source_root=settings.source_label,
    )
    held = False
    try:
        with warehouse_lock(
            settings.warehouse_dir,
            settings.lock_timeout,
            f"flow run {run_name}",
            lambda holder: logger.info(
                "Waiting up to %.0f s for another run to finish (%s)", settings.lock_timeout, holder
            ),
        ):
            held = True
            work = settings.work_dir / run_id
            try:
                recover(settings, logger)
                summary = _load(settings, run_id, run_name, started_at, work, logger)
            finally:
                _remove_staging(settings, run_id, logger)
                shutil.rmtree(work, ignore_errors=True)
    except (KeyboardInterrupt, TerminationSignal) as interrupt:
        if not held:
            _note_unlocked_run(settings, unlocked, "cancelled", interrupt, logger)
        message = _interrupted(interrupt, held)
        logger.warning(message)
        _try_artifacts(logger, partial(_publish_failure, run_name or run_id, message))
        return cast(RunSummary, Cancelled(message=message))
    except Exception as error:
        if not held:
            status = "timed out" if isinstance(error, WarehouseBusy) else "failed"
            _note_unlocked_run(settings, unlocked, status, error, logger)
        _try_artifacts(logger, partial(_publish_failure, run_name or run_id, why(error)))
        raise
    summary = replace(summary, seconds=time.perf_counter() - clock)
    logger.info("Run summary\n%s", summary.render())
    _try_artifacts(logger, partial(_publish_artifacts, summary))
    if dashboard:
        _write_dashboard(settings, logger)
    # Prefect ends the run in a returned state and hands the caller that state's data.
    return cast(RunSummary, _final_state(summary, fail_on_rejected))


def _write_dashboard(settings: RunSettings, logger: Log) -> None:
    """The dashboard of what the run published; the run's data stands if it cannot be
    written, so that is a warning."""
    from flows.dashboard import write_dashboard

    try:
        written = write_dashboard(settings.database_path, settings.warehouse_dir / DASHBOARD_FILE)
    except Exception as error:
        logger.warning("The dashboard was not written: %s", why(error))
    else:
        logger.info("%s", written.render())


def _interrupted(interrupt: BaseException, held: bool) -> str:
    """The one line an interrupted run ends with, which the command prints too."""
    recorded = "etl.runs shows it as cancelled"
    if not held:
        recorded += " after the next run"
    return f"{why(interrupt)}: nothing was published; {recorded}"


def why(error: BaseException) -> str:
    """A run's error as ``etl.runs`` and the failure artifact give it."""
    if isinstance(error, KeyboardInterrupt):
        return "interrupted by Ctrl-C"
    if isinstance(error, TerminationSignal):
        return "interrupted by SIGTERM"
    return f"{type(error).__name__}: {error}"


def _note_unlocked_run(
    settings: RunSettings, run: RunRecord, status: str, error: BaseException, logger: Log
) -> None:
    """A run that never held the lock leaves its record for the next one that does."""
    run = replace(run, status=status, error_message=why(error))
    try:
        note_unrecorded_run(settings.layout, run, dt.datetime.now(dt.UTC))
    except OSError as note_error:
        logger.warning("Could not leave the run's record for the next run: %s", note_error)


def _final_state(summary: RunSummary, fail_on_rejected: bool) -> State[Any]:
    """Completed, named for the rejected files when the warehouse holds any, so that the
    runs list shows them without opening the run; Failed instead when asked to, with
    the warehouse published all the same."""
    if not summary.files_rejected:
        return Completed(data=summary)
    if fail_on_rejected:
        message = (
            f"{summary.files_rejected:,} files are rejected (etl.rejected_files) and "
            f"--fail-on-rejected is set; the warehouse is published: {summary.database_path}"
        )
        return Failed(
            name=f"Failed ({summary.files_rejected:,} rejected)",
            message=message,
            data=RejectedFiles(message),
        )
    return Completed(
        name=f"Completed ({summary.files_rejected:,} rejected)",
        message=f"{summary.files_rejected:,} files are rejected: see etl.rejected_files",
        data=summary,
    )


def _try_artifacts(logger: Log, publish: Callable[[], None]) -> None:
    """Artifacts are for people: failing to write them never changes a run's outcome."""
    try:
        publish()
    except Exception as error:
        logger.warning("The run's Prefect artifacts failed: %s", error)


def _load(
    settings: RunSettings,
    run_id: str,
    run_name: str | None,
    started_at: dt.datetime,
    work: Path,
    logger: Log,
) -> RunSummary:
    """Everything between taking the lock and publishing; raises before publishing on failure."""
    parser, rebuilt = prepare_state(settings, work, started_at, logger)
    run = new_run(settings, run_id, run_name, started_at, parser)
    source, commit = recording_failure(settings, run, partial(_source_at, settings, logger), logger)
    return load_run(settings, at_commit(run, commit), source, work, rebuilt, logger)


def prepare_state(
    settings: RunSettings, work: Path, started_at: dt.datetime, logger: Log
) -> tuple[str, bool]:
    """The state ready for runs (upgraded, its schema applied, the runs that ended waiting
    recorded, re-derived when the parsing code changed); returns the parsing code's
    version and whether it re-derived."""
    threading.Thread(target=_start_forkserver, daemon=True).start()
    found = check_state(settings.state_path, settings.database_path)
    parser = parser_version()
    if is_old_warehouse(settings.layout):
        carried = upgrade_old_warehouse(settings.layout, started_at)
        logger.info(
            "Upgraded a warehouse of schema version %d: %d runs of history carried over; "
            "its rows are read anew from the source, and their history starts now",
            found,
            carried,
        )
    ensure_state(settings.state_path, started_at, parser)
    if record_unrecorded_runs(settings.layout):
        logger.info("Recorded in etl.runs the runs that ended waiting for the lock")
    rebuilt = state_parser(settings.state_path) != parser
    if rebuilt:
        logger.info("The parsing code changed: re-deriving every version in the lake with it")
        rebuild_task(settings, work / "rebuild", parser, started_at)
    return parser, rebuilt


def new_run(
    settings: RunSettings,
    run_id: str,
    run_name: str | None,
    started_at: dt.datetime,
    parser: str,
) -> RunRecord:
    """The run's record before it loads."""
    return RunRecord(
        run_id=run_id,
        run_no=next_run_no(settings.state_path),
        flow_run_name=run_name,
        source_time=started_at,
        started_at=started_at,
        status="succeeded",
        source_root=settings.source_label,
        parser_version=parser,
    )


def at_commit(run: RunRecord, commit: Commit | None) -> RunRecord:
    """A git source's run: its versions take the commit's time."""
    if commit is None:
        return run
    return replace(
        run,
        source_time=commit.time,
        source_commit=commit.sha,
        source_commit_time=commit.time,
        source_commit_subject=commit.subject,
    )


def recording_failure(
    settings: RunSettings, run: RunRecord, step: Callable[[], Result], logger: Log
) -> Result:
    """``step()``, with the run recorded as failed (or cancelled) in ``etl.runs`` when it
    raises: a run refused before it loads is on record too."""
    try:
        return step()
    except BaseException as error:
        partition = lake.pending_partition(settings.lake_dir, run.run_no, run.run_id)
        _record_failure(settings, run, partition, error, logger)
        raise


def load_run(
    settings: RunSettings,
    run: RunRecord,
    source: lake.Source,
    work: Path,
    rebuilt: bool,
    logger: Log,
    publish_file: bool = True,
) -> RunSummary:
    """Load one run into its partition and the state; a failed one is recorded, and raises."""
    partition = lake.pending_partition(settings.lake_dir, run.run_no, run.run_id)
    try:
        return _load_partition(
            settings, run, source, work, partition, rebuilt, logger, publish_file
        )
    except BaseException as error:
        _record_failure(settings, run, partition, error, logger)
        raise


def _source_at(settings: RunSettings, logger: Log) -> tuple[lake.Source, Commit | None]:
    """The source to load: a folder or URL as it is now, or a git source's tree at its
    ref, fetched first and checked against the history the warehouse holds."""
    if not settings.is_git:
        return SourceTree(settings.source_root), None
    cache = fetch_source(settings, logger)
    commit = cache.resolve(settings.git_ref)
    held = held_source(settings.state_path)
    check_history(cache, commit, held.commit, held.source_time)
    tree = cache.tree(commit, settings.git_path)
    if not tree.exists():
        raise GitSourceError(
            f"path {settings.git_path!r} is not a folder at commit {commit.short} of "
            f"{cache.url}: give the articles' folder with --path"
        )
    logger.info("Loading commit %s (%s, %s)", commit.short, commit.time, commit.subject)
    return tree, commit


def fetch_source(settings: RunSettings, logger: Log) -> GitCache:
    """The git source's cache, brought up to date with the remote."""
    cache = GitCache.beside(settings.layout.git_dir, remote_url(settings.source_root))
    clock = time.perf_counter()
    cache.fetch()
    logger.info("Fetched %s into %s (%.1f s)", cache.url, cache.path, time.perf_counter() - clock)
    return cache


def _load_partition(
    settings: RunSettings,
    run: RunRecord,
    source: lake.Source,
    work: Path,
    partition: Path,
    rebuilt: bool,
    logger: Log,
    publish_file: bool = True,
) -> RunSummary:
    held = files_held(settings.state_path)
    large = held > OWN_PROCESS_FILES
    found = discover_task(source, work, large)
    logger.info("Found %s article files under %s", f"{found:,}", source)
    if found == 0 and held == 0:
        raise EmptySource(f"no article files (*{ARTICLE_SUFFIX}) under {source}: nothing to load")
    plan = plan_task(settings.state_path, work, partition, settings.full_refresh, source, large)
    logger.info(
        "%s to read (new, changed or unreadable before), %s of them with bytes loaded before "
        "(copied, not parsed), %s deleted, %s unchanged",
        f"{plan.files_taken:,}",
        f"{plan.files_reused:,}",
        f"{plan.files_deleted:,}",
        f"{plan.files_seen - plan.files_taken:,}",
    )
    run = replace(run, load_mode="full" if plan.files_taken == plan.files_seen else "incremental")
    if plan.changes_nothing and not rebuilt:
        committed = record_unchanged_run(
            settings.state_path, replace(run, load_mode="unchanged"), plan
        )
        return _finish(settings, run, plan, partition, committed, logger, publish_file=publish_file)
    staging = _open_staging(settings, work, partition)
    summaries = _parse_all(work / TO_READ_FILE, plan.files_read, source, settings, staging, logger)
    if settings.staging is not None:
        staging.copy_to(partition, schemas.PARSED_TABLES, [s.batch_no for s in summaries])
    committed = merge_task(settings, partition, run, work, plan)
    return _finish(settings, run, plan, partition, committed, logger, rebuilt, publish_file)


def _finish(
    settings: RunSettings,
    run: RunRecord,
    plan: Plan,
    partition: Path,
    committed: Committed,
    logger: Log,
    rebuilt: bool = False,
    publish_file: bool = True,
) -> RunSummary:
    """Publish the run's partition and the analysts' file, which has the run's record even
    when the run changed nothing; a backfill publishes the file after its last run only."""
    changed = bool(committed.files_changed or rebuilt)
    publish_task(settings, partition, run.run_id, changed, publish_file)
    if not changed:
        logger.info("Nothing changed: the published warehouse has the same rows")
    return _summary(settings, run, plan, committed, changed=changed)


def _summary(
    settings: RunSettings, run: RunRecord, plan: Plan, committed: Committed, changed: bool
) -> RunSummary:
    return RunSummary(
        run_id=run.run_id,
        flow_run_name=run.flow_run_name,
        source_root=settings.source_label
        + (f" at commit {run.source_commit[:9]}" if run.source_commit else ""),
        database_path=str(settings.database_path),
        seconds=0.0,
        files_seen=plan.files_seen,
        files_read=plan.files_taken,
        files_stale=committed.files_stale,
        files_changed=committed.files_changed,
        file_events=committed.file_events,
        counts=committed.counts,
        checks=committed.checks,
        rejected=committed.rejected,
        changed=changed,
    )


def recover(settings: RunSettings, logger: Log) -> None:
    """Finish or remove what killed runs left (safe under the lock): work folders and
    staged batches; pending partitions, published if the state committed their run and
    deleted otherwise; an analysts' copy older than the state."""
    if settings.work_dir.is_dir():
        for leftover in settings.work_dir.iterdir():
            staged = _staged_by(leftover)
            try:
                if staged is not None:
                    staged.remove()
            except Exception as error:
                logger.warning("Could not remove a killed run's staged batches: %s", error)
                continue
            shutil.rmtree(leftover, ignore_errors=True)
    finish_committed(settings.layout)


def _record_failure(
    settings: RunSettings, run: RunRecord, partition: Path, error: BaseException, logger: Log
) -> None:
    """Record the failed or interrupted run in the state, in the lake (its record only) and
    in the analysts' file; the run still ends with its own error. One interrupted after its
    commit is left for the next run to publish."""
    checks = error.checks if isinstance(error, ChecksFailed) else []
    interrupted = isinstance(error, KeyboardInterrupt | TerminationSignal)
    try:
        if run.run_id in committed_runs(settings.state_path):
            logger.warning("The run was committed before it stopped: the next run publishes it")
            return
        failed = replace(
            run,
            status="cancelled" if interrupted else "failed",
            error_message=why(error),
        )
        record_failed_run(settings.state_path, failed, checks)
        finish_partition(settings.state_path, partition)
        _publish(settings, run.run_id, rows_changed=False)
    except Exception as record_error:
        logger.error("Could not record the failed run in etl.runs: %s", record_error)


def _staged_by(work: Path) -> StagingArea | None:
    """The folder under --staging a run's work folder names in its marker: only one named
    after that run, so a damaged marker can never name anything else to delete."""
    marker = work / STAGING_MARKER
    if not marker.is_file():
        return None
    location = marker.read_text(encoding="utf-8").strip()
    if location.rstrip("/").rsplit("/", 1)[-1] != work.name:
        return None
    return StagingArea(location)


def _open_staging(settings: RunSettings, work: Path, partition: Path) -> StagingArea:
    """Where workers write: the pending partition itself, or the run's folder under
    --staging (storage that remote workers share), named in the work folder first, for
    the next run to remove if this one is killed."""
    if settings.staging is None:
        return StagingArea(str(partition))
    staging = StagingArea(f"{settings.staging.rstrip('/')}/{work.name}")
    work.mkdir(parents=True, exist_ok=True)
    written = work / f".{STAGING_MARKER}.tmp"
    written.write_text(staging.location, encoding="utf-8")
    written.replace(work / STAGING_MARKER)
    return staging


def _remove_staging(settings: RunSettings, run_id: str, logger: Log) -> None:
    if settings.staging is None:
        return
    try:
        StagingArea(f"{settings.staging.rstrip('/')}/{run_id}").remove()
    except OSError as error:
        logger.warning("Could not remove the run's staged batches under --staging: %s", error)


def _parse_all(
    to_read: Path,
    file_count: int,
    source: lake.Source,
    settings: RunSettings,
    staging: StagingArea,
    logger: Log,
) -> list[lake.BatchSummary]:
    """Parse every batch on the chosen runner, logging progress as batches finish; batches
    are smaller than the batch size when that is what it takes to give every worker one."""
    size = min(settings.batch_size, max(1, -(-file_count // settings.workers)))
    batches = [
        lake.BatchSlice(to_read, start, min(size, file_count - start))
        for start in range(0, file_count, size)
    ]
    if not batches:
        return []
    if settings.runner == "pool" and file_count <= IN_PROCESS_FILES:
        futures = [
            stage_slice_task.submit(source, batch, staging, batch_no)
            for batch_no, batch in enumerate(batches)
        ]
        return _collect(futures, file_count, logger)
    if settings.runner == "pool":
        with _process_pool(min(settings.workers, len(batches))) as pool:
            futures = [
                parse_batch_task.submit(pool, source, batch, staging, batch_no)
                for batch_no, batch in enumerate(batches)
            ]
            return _collect(futures, file_count, logger)
    with _task_runner(settings, len(batches)) as runner:
        futures = [
            runner.submit(
                stage_slice_task,
                {"source": source, "batch": batch, "staging": staging, "batch_no": batch_no},
            )
            for batch_no, batch in enumerate(batches)
        ]
        return _collect(futures, file_count, logger)


def _in_own_process(work: Callable[..., Result], *args: Any) -> Result:
    """``work(*args)`` in a process forked from the forkserver: what it allocates (DuckDB's
    buffers, a large walk's Python objects) goes when it ends, so no two steps' add up in
    one process. In this one while it holds the state open (a backfill), as no other
    process can open it then."""
    if state_is_held():
        return work(*args)
    with _process_pool(1) as process:
        return process.submit(work, *args).result()


class _Pool(ProcessPoolExecutor):
    stopped = False
    """Set when the run stopped the pool, so that its work's end is no failure."""


@contextmanager
def _process_pool(workers: int) -> Iterator[_Pool]:
    """Worker processes that leave interrupts to this one: on Ctrl-C or SIGTERM it cancels
    the queued work and ends them at once, instead of waiting for every queued batch (what
    leaving a ``ProcessPoolExecutor`` does) or a transaction half done, which DuckDB rolls
    back as after a kill."""
    pool = _Pool(
        workers,
        mp_context=_forkserver(),
        initializer=leave_interrupts_to_the_parent,
        initargs=(os.getpid(),),
    )
    try:
        yield pool
    except BaseException:
        _stop_now(pool)
        raise
    finally:
        pool.shutdown()


def _stop_now(pool: _Pool) -> None:
    """What Python 3.14's ``terminate_workers`` does: no new work, then SIGTERM each worker."""
    pool.stopped = True
    workers = list((pool._processes or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for worker in workers:
        worker.terminate()
    for worker in workers:
        worker.join()


def _start_forkserver() -> None:
    """Start the worker processes' server while the run walks the source: it takes 0.3 s
    (loading pyarrow and DuckDB), which an incremental run's first parse batch waited for."""
    _forkserver()
    multiprocessing.forkserver.ensure_running()


def _forkserver() -> multiprocessing.context.ForkServerContext:
    """Workers forked from a small server process with the parsing and DuckDB modules
    loaded: they start fast and without this process's memory."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["flows.lake", "flows.merge"])
    return context


def _task_runner(settings: RunSettings, batch_count: int) -> TaskRunner[Any]:
    workers = min(settings.workers, batch_count)
    if settings.runner == "prefect-process":
        return ProcessPoolTaskRunner(max_workers=workers)
    from prefect_dask.task_runners import DaskTaskRunner

    if settings.dask_address:
        return DaskTaskRunner(address=settings.dask_address)
    return DaskTaskRunner(
        cluster_kwargs={
            "n_workers": workers,
            "threads_per_worker": 1,
            "processes": True,
            "dashboard_address": ":0",
        }
    )


def _collect(
    futures: list[PrefectFuture[lake.BatchSummary]], file_count: int, logger: Log
) -> list[lake.BatchSummary]:
    summaries: list[lake.BatchSummary] = []
    started = time.perf_counter()
    for future in as_completed(futures):
        summary = future.result()
        summaries.append(summary)
        done = sum(item.file_count for item in summaries)
        rate = done / max(time.perf_counter() - started, 1e-9)
        logger.info(
            "Parsed batch %d/%d: %s/%s files (%.0f files/s), %d rejected in batch (%.2f s)",
            len(summaries),
            len(futures),
            f"{done:,}",
            f"{file_count:,}",
            rate,
            summary.rejected_count,
            summary.seconds,
        )
    return summaries


def _publish_failure(run_name: str, why: str) -> None:
    create_markdown_artifact(
        key="quicktakes-etl-summary",
        markdown=f"quicktakes-etl run {run_name} failed: nothing was published.\n\n"
        f"```\n{why}\n```\n",
        description="Why the run failed",
    )


def _publish_artifacts(summary: RunSummary) -> None:
    create_table_artifact(
        key="quicktakes-etl-counts",
        table=[{"table": name, "rows": rows} for name, rows in summary.counts.items()]
        + [
            {"table": f"check: {c.name} ({c.severity})", "rows": c.failing_row_count}
            for c in summary.checks
        ],
        description=f"Row counts after run {summary.flow_run_name}; check rows are failures.",
    )
    rejected = "\n".join(
        f"| `{row['source_path']}` | {row['error_kind']} | {row['error_message']} |"
        for row in summary.rejected
    )
    create_markdown_artifact(
        key="quicktakes-etl-summary",
        markdown=f"```\n{summary.render()}\n```\n\n"
        + (f"| file | kind | message |\n|---|---|---|\n{rejected}\n" if rejected else ""),
        description="Run summary and first rejected files",
    )
