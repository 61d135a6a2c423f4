"""The Prefect flow: discover → parse in batches → Parquet lake → DuckDB → checks → run record."""

from __future__ import annotations

import datetime as dt
import hashlib
import multiprocessing
import multiprocessing.forkserver
import shutil
import threading
import time
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from importlib import resources
from logging import Logger, LoggerAdapter
from pathlib import Path
from typing import Any, TypeVar, cast

import duckdb
import pyarrow as pa
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture, as_completed
from prefect.runtime import flow_run
from prefect.task_runners import ProcessPoolTaskRunner, TaskRunner
from prefect.utilities.annotations import opaque

from flows.errors import RunRefused
from flows.lake import (
    BatchSummary,
    LakeChanges,
    ManifestContext,
    add_counts,
    carry_rows,
    lake_row_count,
    publish_lake,
    read_lake_table,
    remove_unpublished_lakes,
    stage_batch,
    write_lake_changes,
    write_lake_table,
)
from flows.lock import warehouse_lock
from flows.patch import (
    WarehousePatch,
    discard,
    patch_warehouse,
    plan_patch,
    untrusted,
    write_stamp,
)
from flows.settings import DEFAULT_BATCH_SIZE, DEFAULT_LOCK_TIMEOUT, RunSettings, resolve_settings
from flows.storage import SourceTree, StagingArea
from flows.warehouse import (
    DATABASE_FILE,
    CarriedRows,
    CheckResult,
    ChecksFailed,
    IncompatibleWarehouse,
    RunRecord,
    StaleRows,
    build_warehouse,
    check_warehouse,
    export_history,
    failed_run_rows,
    lake_has_run,
    lake_keeps_history,
    last_parser_version,
    last_succeeded_run,
    migrate_warehouse,
    publish_warehouse,
    read_history,
    read_stale_rows,
    rejected_files,
    remove_unpublished_files,
    schema_version,
    unchanged_run_rows,
    write_discovered_files,
)
from transforms import schemas
from transforms.incremental import (
    MANIFEST_COLUMNS,
    carried_files,
    empty_manifest,
    listings_to_reparse,
    plan_load,
    touched_articles,
)

FLOW_NAME = "quicktakes-etl"
T = TypeVar("T")
SUMMARY_REJECTED_ROWS = 20
MASS_DELETE_SHARE = 0.5
STAGING_MARKER = "staging-url"
HISTORY_FILE = "part-00000.parquet"
DISCOVERED_FILE = "discovered.arrow"


class MassDeletion(RunRefused):
    """The run would remove most loaded articles: it looks like a missing source."""


@dataclass(frozen=True)
class LoadResult:
    files_seen: int
    files_stale: int
    checks: list[CheckResult]
    counts: dict[str, int]
    rejected: list[dict[str, Any]]
    published: bool = True
    patched: bool = False


@dataclass(frozen=True)
class RunSummary:
    run_id: str
    flow_run_name: str | None
    source_root: str
    database_path: str
    seconds: float
    files_seen: int
    files_stale: int
    counts: dict[str, int]
    checks: list[CheckResult]
    rejected: list[dict[str, Any]] = field(default_factory=list)
    published: bool = True
    patched: bool = False

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
            f"  source     {self.source_root}  ({self.files_seen:,} article files)",
            f"  warehouse  {self.database_path}"
            + ("" if self.published else "  (nothing changed: left as it was)")
            + ("  (patched: only changed rows replaced)" if self.patched else ""),
            f"  loaded     {self.files_seen - self.files_rejected:,} files as "
            f"{counts.get('articles', 0):,} articles in {counts.get('subjects', 0):,} subjects",
            f"  rows       {counts.get('answer_points', 0):,} answer points, "
            f"{counts.get('article_keywords', 0):,} keywords, "
            f"{counts.get('related_articles', 0):,} related links",
            f"  rejected   {self.files_rejected:,} files (etl.rejected_files), "
            f"{self.files_stale:,} of them stale: their last good rows are kept",
            f"  checks     {len(self.checks) - len(warned)} of {len(self.checks)} passed"
            + "".join(f"; WARN {c.name}: {c.failing_row_count} rows" for c in warned),
        ]
        lines += [
            f"    {row['source_path']}: {row['error_kind']}: {row['error_message']}"
            for row in self.rejected
        ]
        if self.files_rejected > len(self.rejected):
            lines.append(f"    ... and {self.files_rejected - len(self.rejected):,} more")
        return "\n".join(lines)


def untraversed(value: T) -> T:
    """Hand a large input to a task without Prefect walking it item by item.

    Profiled on the real corpus: walking 35k manifest entries and the carried
    tables added about 9 s to a run that does 1 s of work.
    """
    return cast(T, opaque(value))


@task(name="discover-source-files", cache_policy=NO_CACHE)
def discover_source_files(source: SourceTree) -> pa.Table:
    """Every article file and its size and mtime, the run's short cut past unchanged files."""
    return source.discover()


def read_manifest(lake_dir: Path) -> pa.Table:
    """The published manifest. Not a task: Prefect's handling of a 36k-entry return value
    took 0.45 s of a 1.2 s no-op run (measured), three times the read itself."""
    source_files = read_lake_table(lake_dir, "etl.source_files", MANIFEST_COLUMNS)
    return source_files if source_files is not None else empty_manifest()


@task(name="parse-batch", task_run_name="parse-batch-{batch_no}", cache_policy=NO_CACHE)
def parse_batch_task(
    pool: Executor, source: SourceTree, paths: list[str], staging: StagingArea, batch_no: int
) -> BatchSummary:
    """One batch of thousands of files, parsed in a worker process of the flow's pool."""
    return pool.submit(stage_batch, source, paths, staging, batch_no).result()


@task(name="write-lake", cache_policy=NO_CACHE)
def write_lake_task(
    staging: StagingArea,
    summaries: list[BatchSummary],
    lake_dir: Path,
    stale: StaleRows,
    carried: CarriedRows,
    manifest: ManifestContext,
) -> LakeChanges:
    """The new lake's changed part; the rows of unchanged files follow in build-warehouse."""
    return write_lake_changes(staging, summaries, lake_dir, stale, carried, manifest)


@task(name="record-unchanged-run", cache_policy=NO_CACHE)
def record_unchanged_task(lake_dir: Path, run: RunRecord, files_seen: int) -> LoadResult | None:
    """Nothing to parse or delete: add the run to the lake's history and publish nothing.

    The warehouse stays byte for byte as the last run left it (its checks still hold);
    the run shows in ``etl.runs`` from the next publishing run on, and in Prefect at
    once. None, to rebuild after all, when the last run read another source.
    """
    last = last_succeeded_run(lake_dir)
    if last is None or last["source_root"] != run.source_root:
        return None
    rows, checks = unchanged_run_rows(
        lake_dir, last, replace(run, finished_at=dt.datetime.now(dt.UTC))
    )
    write_lake_table(lake_dir, "etl.runs", rows, f"unchanged-{run.run_id}.parquet")
    get_run_logger().info(
        "Nothing changed since run %s: the published warehouse stays as it is",
        last["flow_run_name"] or last["run_id"],
    )
    counts = {table: lake_row_count(lake_dir, table) for table in schemas.TABLES}
    return LoadResult(files_seen, 0, checks, counts, [], published=False)


@task(name="migrate-warehouse", cache_policy=NO_CACHE)
def migrate_warehouse_task(database_path: Path, applied_at: dt.datetime) -> int:
    return migrate_warehouse(database_path, applied_at)


@task(name="read-stale-rows", cache_policy=NO_CACHE)
def read_stale_rows_task(lake_dir: Path, summaries: list[BatchSummary]) -> StaleRows:
    """Last good rows of files that were loaded before and are rejected now."""
    rejected = [path for summary in summaries for path in summary.rejected_paths]
    return read_stale_rows(lake_dir, rejected)


@task(name="build-warehouse", cache_policy=NO_CACHE)
def build_warehouse_task(
    new_db: Path,
    settings: RunSettings,
    lake_dir: Path,
    source_paths: pa.ChunkedArray,
    run: RunRecord,
    patch: WarehousePatch | None,
    carried: CarriedRows,
    changes: LakeChanges,
) -> tuple[list[CheckResult], dict[str, int], list[dict[str, Any]], bool]:
    """Copy the unchanged files' rows into the new lake and build the new warehouse file
    (history from the published lake); then write its history into the new lake.

    DuckDB builds in a process of its own, so its memory does not stack on this one's
    (Prefect, the manifest): the largest process of a 10x run stays under 1 GB. A patch
    reads only the lake's changed part, so it starts before the carried rows are copied;
    it is kept only if it holds the whole lake's row counts. Raises MassDeletion before
    any whole build. Also returns the first rejected files for the summary, read before
    publishing, and whether the file is a patched copy of the published one.
    """
    history = read_history(settings.lake_dir, settings.database_path)
    logger = get_run_logger()
    discovered = write_discovered_files(new_db.with_name(DISCOVERED_FILE), source_paths)
    with ProcessPoolExecutor(1, mp_context=_forkserver()) as process:
        patching = (
            process.submit(patch_warehouse, new_db, history, lake_dir, discovered, run, patch)
            if patch is not None
            else None
        )
        lake_counts = add_counts(changes.counts, carry_rows(lake_dir, carried, changes.canonical))
        _guard_mass_deletion(settings, lake_counts["articles"])
        reason, (checks, counts) = _patch_result(patching, lake_counts)
        if reason is not None:
            discard(new_db)
            if patch is not None:
                logger.info("Building the warehouse file whole: %s", reason)
            build = process.submit(build_warehouse, new_db, history, lake_dir, discovered, run)
            checks, counts = build.result()
        else:
            logger.info("Patched a copy of the published warehouse file")
    for table, rows in export_history(new_db).items():
        write_lake_table(lake_dir, table, rows, HISTORY_FILE)
    return checks, counts, rejected_files(new_db, SUMMARY_REJECTED_ROWS), reason is None


def _patch_result(
    patching: Future[tuple[list[CheckResult], dict[str, int]] | str] | None,
    lake_counts: dict[str, int],
) -> tuple[str | None, tuple[list[CheckResult], dict[str, int]]]:
    """The patched file's checks and counts, or why it is not kept (None when it is)."""
    outcome = patching.result() if patching is not None else "full run"
    if isinstance(outcome, str):
        return outcome, ([], {})
    if outcome[1] != lake_counts:
        return f"the patched file's row counts {outcome[1]} differ from the lake's", ([], {})
    return None, outcome


@task(name="publish", cache_policy=NO_CACHE)
def publish_task(
    settings: RunSettings, work: Path, run_id: str, full_build_size: int | None
) -> None:
    """Swap in the new lake, then the new warehouse file: each by one atomic rename; then
    stamp the file as this run's (``full_build_size`` None: it is a full build).

    A kill between the two leaves the newer lake, from which the next run rebuilds.
    """
    built = (work / DATABASE_FILE).stat()
    publish_lake(work / "lake", settings.lake_dir, run_id)
    publish_warehouse(work / DATABASE_FILE, settings.database_path, run_id)
    try:
        write_stamp(settings.database_path, run_id, built, full_build_size)
    except OSError as error:
        get_run_logger().warning(
            "Published, but could not stamp the warehouse file (%s): the next run rebuilds it",
            error,
        )


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
) -> RunSummary:
    """Load QuickTakes article files into the Parquet lake and the DuckDB warehouse.

    With no ``source`` it loads the project's sample corpus; with no
    ``warehouse``, it writes into ./warehouse. One run at a time holds the
    warehouse; a second one waits up to ``lock_timeout`` seconds.
    """
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
    )
    logger = get_run_logger()
    run_id, run_name = str(flow_run.id), flow_run.name
    with warehouse_lock(
        settings.warehouse_dir,
        settings.lock_timeout,
        f"flow run {run_name}",
        lambda holder: logger.info(
            "Waiting up to %.0f s for another run to finish (%s)", settings.lock_timeout, holder
        ),
    ):
        _remove_leftovers(settings, logger)
        work = settings.work_dir / run_id
        try:
            result = _load(settings, run_id, run_name, started_at, work, logger)
        except BaseException as error:
            _record_failure(settings, run_id, run_name, started_at, error, logger)
            raise
        finally:
            _remove_staging(settings, work, run_id, logger)
            shutil.rmtree(work, ignore_errors=True)
    summary = RunSummary(
        run_id=run_id,
        flow_run_name=run_name,
        source_root=str(settings.source_root),
        database_path=str(settings.database_path),
        seconds=time.perf_counter() - clock,
        files_seen=result.files_seen,
        files_stale=result.files_stale,
        counts=result.counts,
        checks=result.checks,
        rejected=result.rejected,
        published=result.published,
        patched=result.patched,
    )
    logger.info("Run summary\n%s", summary.render())
    try:
        _publish_artifacts(summary)
    except Exception as error:
        logger.warning("The run is published, but its Prefect artifacts failed: %s", error)
    return summary


def _load(
    settings: RunSettings,
    run_id: str,
    run_name: str | None,
    started_at: dt.datetime,
    work: Path,
    logger: Logger | LoggerAdapter[Logger],
) -> LoadResult:
    """Everything between taking the lock and publishing; raises before publishing on failure."""
    threading.Thread(target=_start_forkserver, daemon=True).start()
    found = check_warehouse(settings.database_path, settings.lake_dir)
    if 0 < found < schema_version():
        try:
            migrate_warehouse_task(settings.database_path, started_at)
        except (duckdb.Error, IncompatibleWarehouse) as error:
            logger.warning(
                "Could not migrate the published file in place (%s); the new warehouse is "
                "built at the current schema anyway",
                str(error).splitlines()[0],
            )
    source = SourceTree(settings.source_root)
    discovered: pa.Table = discover_source_files(source)
    logger.info("Found %s article files under %s", f"{discovered.num_rows:,}", settings.source_root)
    previous = read_manifest(settings.lake_dir)
    parser = parser_version()
    planned_from = _incremental_base(settings, previous, parser, logger)
    incremental = planned_from.num_rows > 0
    plan = plan_load(discovered, planned_from)
    logger.info(
        "%s new or changed, %s deleted, %s unchanged",
        f"{len(plan.parse):,}",
        f"{len(plan.deleted):,}",
        f"{plan.unchanged.num_rows:,}",
    )
    run = RunRecord(
        run_id,
        run_name,
        started_at,
        dt.datetime.now(dt.UTC),
        "succeeded",
        str(settings.source_root),
        files_deleted_count=len(plan.deleted),
        load_mode="incremental" if incremental else "full",
        parser_version=parser,
    )
    if (
        incremental
        and not plan.parse
        and not plan.deleted
        and found == schema_version()
        and untrusted(settings.database_path, settings.lake_dir) is None
    ):
        recorded = record_unchanged_task(settings.lake_dir, run, discovered.num_rows)
        if recorded is not None:
            return recorded
    staging = _open_staging(settings, work, run_id)
    summaries = _parse_all(plan.parse, source, settings, staging, logger)
    touched = touched_articles(plan, previous, [i for s in summaries for i in s.article_ids])
    again = listings_to_reparse(plan, touched)
    summaries += _parse_all(again, source, settings, staging, logger, first_batch=len(summaries))
    carried = CarriedRows(settings.lake_dir, carried_files(plan, again))
    stale = read_stale_rows_task(settings.lake_dir, untraversed(summaries))
    changes = write_lake_task(
        staging,
        untraversed(summaries),
        work / "lake",
        untraversed(stale),
        untraversed(carried),
        untraversed(ManifestContext(discovered, previous, run_id)),
    )
    stale_count = len(stale.article_ids)
    del stale
    patch = (
        _warehouse_patch(
            settings,
            touched | {i for s in summaries for i in s.article_ids},
            [*plan.parse, *again, *plan.deleted],
            logger,
        )
        if incremental and found == schema_version()
        else None
    )
    checks, counts, rejected, patched = build_warehouse_task(
        work / DATABASE_FILE,
        settings,
        work / "lake",
        untraversed(discovered["source_path"]),
        run,
        untraversed(patch),
        untraversed(carried),
        untraversed(changes),
    )
    del carried
    publish_task(settings, work, run_id, patch.stamp.full_build_size if patch and patched else None)
    return LoadResult(discovered.num_rows, stale_count, checks, counts, rejected, patched=patched)


def _warehouse_patch(
    settings: RunSettings,
    article_ids: set[int],
    source_paths: list[str],
    logger: Logger | LoggerAdapter[Logger],
) -> WarehousePatch | None:
    """How to patch the published file with an incremental run's changes, or None (logged
    why) to build it whole."""
    patch = plan_patch(settings.database_path, settings.lake_dir, article_ids, source_paths)
    if isinstance(patch, str):
        logger.info("Building the warehouse file whole: %s", patch)
        return None
    return patch


def _incremental_base(
    settings: RunSettings,
    previous: pa.Table,
    parser: str,
    logger: Logger | LoggerAdapter[Logger],
) -> pa.Table:
    """The manifest to skip unchanged files by; empty (parse everything) on --full-refresh
    or when the parsing code changed since the last good run."""
    if settings.full_refresh or previous.num_rows == 0:
        return empty_manifest()
    if last_parser_version(settings.lake_dir) != parser:
        logger.info("The parsing code changed since the last run: parsing every file")
        return empty_manifest()
    return previous


def parser_version() -> str:
    """Fingerprint of the transforms package's source: what a file's rows depend on."""
    digest = hashlib.sha256()
    package = resources.files("transforms")
    for entry in sorted(package.iterdir(), key=lambda item: item.name):
        if entry.name.endswith(".py"):
            digest.update(entry.name.encode() + b"\0" + entry.read_bytes())
    return digest.hexdigest()[:16]


def _guard_mass_deletion(settings: RunSettings, new_articles: int) -> None:
    """Stop before publishing when most loaded articles would vanish at once."""
    previous = lake_row_count(settings.lake_dir, "articles")
    if settings.allow_mass_delete or previous == 0 or new_articles >= previous * MASS_DELETE_SHARE:
        return
    raise MassDeletion(
        f"this run would remove {previous - new_articles:,} of {previous:,} articles, more "
        f"than half: an empty or unmounted source folder looks like this. Nothing was "
        f"changed; run with --allow-mass-delete if the removal is intended"
    )


def _remove_leftovers(settings: RunSettings, logger: Logger | LoggerAdapter[Logger]) -> None:
    """Work folders, staged batches, lake versions and warehouse files of runs that were
    killed; safe under the lock. A work folder whose staged batches cannot be removed now
    is kept, so that the next run tries again."""
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
    remove_unpublished_lakes(settings.lake_dir)
    remove_unpublished_files(settings.database_path)


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


def _parse_all(
    source_paths: list[str],
    source: SourceTree,
    settings: RunSettings,
    staging: StagingArea,
    logger: Logger | LoggerAdapter[Logger],
    first_batch: int = 0,
) -> list[BatchSummary]:
    """Parse every batch on the chosen runner, logging progress as batches finish."""
    size = settings.batch_size
    batches = [source_paths[start : start + size] for start in range(0, len(source_paths), size)]
    if not batches:
        return []
    if settings.runner == "pool":
        return _parse_on_pool(batches, source, settings, staging, logger, first_batch)
    with _task_runner(settings, len(batches)) as runner:
        futures = [
            runner.submit(
                stage_batch_task,
                {
                    "source": source,
                    "paths": batch,
                    "staging": staging,
                    "batch_no": batch_no,
                },
            )
            for batch_no, batch in enumerate(batches, start=first_batch)
        ]
        return _collect(futures, sum(map(len, batches)), logger)


def _parse_on_pool(
    batches: list[list[str]],
    source: SourceTree,
    settings: RunSettings,
    staging: StagingArea,
    logger: Logger | LoggerAdapter[Logger],
    first_batch: int,
) -> list[BatchSummary]:
    """Thread tasks that hand batches to one process pool: the measured default."""
    with ProcessPoolExecutor(min(settings.workers, len(batches)), mp_context=_forkserver()) as pool:
        futures = [
            parse_batch_task.submit(pool, source, untraversed(batch), staging, batch_no)
            for batch_no, batch in enumerate(batches, start=first_batch)
        ]
        return _collect(futures, sum(map(len, batches)), logger)


def _start_forkserver() -> None:
    """Start the worker processes' server while the run walks the source: it takes 0.3 s
    (loading pyarrow and DuckDB), which an incremental run's first parse batch waited for
    (0.44 s for 359 files, 0.19 s now)."""
    _forkserver()
    multiprocessing.forkserver.ensure_running()


def _forkserver() -> multiprocessing.context.ForkServerContext:
    """Workers forked from a small server process with the parsing and DuckDB modules
    loaded: they start fast and without this process's memory."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["flows.lake"])
    return context


@task(name="parse-batch", task_run_name="parse-batch-{batch_no}", cache_policy=NO_CACHE)
def stage_batch_task(
    source: SourceTree, paths: list[str], staging: StagingArea, batch_no: int
) -> BatchSummary:
    """One batch parsed where the run's task runner puts it: a Dask worker or a process of
    Prefect's pool. Only the parse stage goes there; loading and publishing stay here."""
    return stage_batch(source, paths, staging, batch_no)


def _staging_area(settings: RunSettings, work: Path, run_id: str) -> StagingArea:
    """The run's own staging folder: under --staging when given (storage that remote
    workers share), else in the warehouse's work folder."""
    if settings.staging is None:
        return StagingArea(str(work / "staging"))
    return StagingArea(f"{settings.staging.rstrip('/')}/{run_id}")


def _open_staging(settings: RunSettings, work: Path, run_id: str) -> StagingArea:
    """The staging area, named in the work folder first, for the next run to remove if
    this one is killed."""
    staging = _staging_area(settings, work, run_id)
    if settings.staging is not None:
        work.mkdir(parents=True, exist_ok=True)
        written = work / f".{STAGING_MARKER}.tmp"
        written.write_text(staging.location, encoding="utf-8")
        written.replace(work / STAGING_MARKER)
    return staging


def _remove_staging(
    settings: RunSettings, work: Path, run_id: str, logger: Logger | LoggerAdapter[Logger]
) -> None:
    if settings.staging is None:
        return
    try:
        _staging_area(settings, work, run_id).remove()
    except OSError as error:
        logger.warning("Could not remove the run's staged batches under --staging: %s", error)


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
    futures: list[PrefectFuture[BatchSummary]],
    file_count: int,
    logger: Logger | LoggerAdapter[Logger],
) -> list[BatchSummary]:
    summaries: list[BatchSummary] = []
    started = time.perf_counter()
    for future in as_completed(futures):
        summary = future.result()
        summaries.append(summary)
        done = sum(item.file_count for item in summaries)
        rate = done / max(time.perf_counter() - started, 1e-9)
        logger.info(
            "Parsed batch %d/%d: %s/%s files (%.0f files/s), %d rejected in batch",
            len(summaries),
            len(futures),
            f"{done:,}",
            f"{file_count:,}",
            rate,
            len(summary.rejected_paths),
        )
    return summaries


def _record_failure(
    settings: RunSettings,
    run_id: str,
    run_name: str | None,
    started_at: dt.datetime,
    error: BaseException,
    logger: Logger | LoggerAdapter[Logger],
) -> None:
    """Add the failed run to the published lake's history, where the next publish picks it up.

    The published DuckDB file is never written in place; the run still fails
    with its own error.
    """
    run = RunRecord(
        run_id,
        run_name,
        started_at,
        dt.datetime.now(dt.UTC),
        "failed",
        str(settings.source_root),
        f"{type(error).__name__}: {error}",
    )
    checks = error.checks if isinstance(error, ChecksFailed) else []
    lake = settings.lake_dir
    try:
        if isinstance(error, IncompatibleWarehouse):
            return
        if not lake_keeps_history(lake) or lake_has_run(lake, run_id):
            logger.warning("The failed run is recorded in Prefect only: no lake history for it")
            return
        for table, rows in failed_run_rows(run, checks).items():
            write_lake_table(lake, table, rows, f"failed-{run_id}.parquet")
    except Exception as record_error:
        logger.error("Could not record the failed run in the lake's etl.runs: %s", record_error)


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
