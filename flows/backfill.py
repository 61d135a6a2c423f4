"""The backfill flow: every commit of a git source that changed its folder, oldest first,
loaded as one run each, so that the warehouse's history is the repository's."""

from __future__ import annotations

import datetime as dt
import shutil
import time
import uuid
from dataclasses import dataclass, field
from functools import partial
from typing import cast

from prefect import flow, get_run_logger
from prefect.exceptions import TerminationSignal
from prefect.runtime import flow_run
from prefect.states import Cancelled

from flows.errors import print_refusals_without_tracebacks
from flows.etl import (
    Log,
    at_commit,
    fetch_source,
    load_run,
    new_run,
    prepare_state,
    publish_state,
    recording_failure,
    recover,
    why,
)
from flows.gitsource import Commit, GitCache, GitSourceError, check_history
from flows.lock import warehouse_lock
from flows.merge import HeldSource, held_source
from flows.settings import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_LOCK_TIMEOUT,
    ConfigError,
    RunSettings,
    resolve_settings,
)
from flows.warehouse import MassDeletion, hold_state_open

BACKFILL_FLOW_NAME = "quicktakes-etl-backfill"


@dataclass(frozen=True)
class BackfillSummary:
    source: str
    database_path: str
    loaded: list[Commit]
    held_before: str | None
    seconds: float
    file_events: dict[str, int] = field(default_factory=dict)

    def render(self) -> str:
        """The lines an operator reads when the backfill ends."""
        if not self.loaded:
            held = f"commit {self.held_before[:9]}" if self.held_before else "nothing yet"
            return (
                f"quicktakes-etl backfill: nothing to load from {self.source}: the warehouse "
                f"holds {held}, and no later commit changed the folder"
            )
        first, last = self.loaded[0], self.loaded[-1]
        events = self.file_events
        return "\n".join(
            [
                f"quicktakes-etl backfill loaded {len(self.loaded):,} commits in "
                f"{self.seconds:.1f} s",
                f"  source     {self.source}",
                f"  commits    {first.short} ({first.time:%Y-%m-%d}) to {last.short} "
                f"({last.time:%Y-%m-%d}), one run each in etl.runs",
                f"  files      {events.get('added', 0):,} added, {events.get('changed', 0):,} "
                f"changed, {events.get('deleted', 0):,} deleted, "
                f"{events.get('rejected', 0):,} rejected, over all commits",
                f"  warehouse  {self.database_path}",
            ]
        )


@flow(name=BACKFILL_FLOW_NAME)
def quicktakes_etl_backfill(
    source: str,
    path: str | None = None,
    from_ref: str | None = None,
    to_ref: str | None = None,
    warehouse: str | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    workers: int | None = None,
    allow_mass_delete: bool = False,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
) -> BackfillSummary:
    """Load each commit up to ``to_ref`` (default: the remote's HEAD) that changed ``path``
    and that the warehouse does not hold yet, from ``from_ref`` on for an empty one.

    Each commit is a run of its own (its record in ``etl.runs``, its lake partition,
    versions at its committer time), committed before the next starts: a killed backfill
    goes on after its last loaded commit, and one with nothing left adds nothing. The
    analysts' file is published after the last commit, or after the last one loaded when a
    commit fails.
    """
    print_refusals_without_tracebacks()
    settings = resolve_settings(
        source,
        warehouse,
        batch_size,
        workers,
        lock_timeout,
        allow_mass_delete,
        git_ref=to_ref,
        git_path=path,
    )
    if not settings.is_git:
        raise ConfigError("backfill needs a git source: --source git+URL")
    logger = get_run_logger()
    run_id, run_name = str(flow_run.id), flow_run.name
    started = time.perf_counter()
    try:
        with warehouse_lock(
            settings.warehouse_dir,
            settings.lock_timeout,
            f"backfill flow run {run_name}",
            lambda holder: logger.info("Waiting for another run to finish (%s)", holder),
        ):
            work = settings.work_dir / run_id
            try:
                recover(settings, logger)
                return _backfill(settings, from_ref, run_id, run_name, started, logger)
            finally:
                shutil.rmtree(work, ignore_errors=True)
    except (KeyboardInterrupt, TerminationSignal) as interrupt:
        message = (
            f"{why(interrupt)}: the commits loaded before it are kept; run backfill again to "
            f"go on from there"
        )
        logger.warning(message)
        return cast(BackfillSummary, Cancelled(message=message))


def _backfill(
    settings: RunSettings,
    from_ref: str | None,
    run_id: str,
    run_name: str | None,
    started: float,
    logger: Log,
) -> BackfillSummary:
    work = settings.work_dir / run_id
    started_at = dt.datetime.now(dt.UTC)
    parser, rebuilt = prepare_state(settings, work, started_at, logger)
    held = held_source(settings.state_path)
    cache, target, commits = recording_failure(
        settings,
        new_run(settings, run_id, run_name, started_at, parser),
        partial(_plan_commits, settings, held, from_ref, logger),
        logger,
    )
    logger.info(
        "%s commits to load, up to %s (%s)", f"{len(commits):,}", target.short, target.subject
    )
    events: dict[str, int] = {}
    latest = held.source_time
    with hold_state_open(settings.state_path):
        for number, commit in enumerate(commits, start=1):
            clock = time.perf_counter()
            check_history(cache, commit, None, latest)
            latest = commit.time
            run = at_commit(
                new_run(
                    settings,
                    str(uuid.uuid5(uuid.UUID(run_id), commit.sha)),
                    f"{run_name}@{commit.short}",
                    dt.datetime.now(dt.UTC),
                    parser,
                ),
                commit,
            )
            try:
                summary = load_run(
                    settings,
                    run,
                    cache.tree(commit, settings.git_path),
                    work / commit.sha,
                    rebuilt,
                    logger,
                    publish_file=number == len(commits),
                )
            except BaseException as error:
                if number > 1:
                    publish_state(settings, run.run_id)
                if isinstance(error, MassDeletion):
                    raise MassDeletion(
                        f"commit {commit.short} ({commit.subject}): {error}; the {number - 1:,} "
                        f"commits before it are loaded and published"
                    ) from None
                raise
            for event, count in summary.file_events.items():
                events[event] = events.get(event, 0) + count
            _progress(logger, commit, number, len(commits), time.perf_counter() - clock, started)
    return BackfillSummary(
        source=settings.source_label,
        database_path=str(settings.database_path),
        loaded=commits,
        held_before=held.commit,
        seconds=time.perf_counter() - started,
        file_events=events,
    )


def _plan_commits(
    settings: RunSettings, held: HeldSource, from_ref: str | None, logger: Log
) -> tuple[GitCache, Commit, list[Commit]]:
    """The source fetched, its target commit checked against what the warehouse holds,
    and the commits to load up to it."""
    cache = fetch_source(settings, logger)
    target = cache.resolve(settings.git_ref)
    check_history(cache, target, held.commit, held.source_time)
    return cache, target, _commits_to_load(cache, settings.git_path, held.commit, from_ref, target)


def _commits_to_load(
    cache: GitCache, path: str, held: str | None, from_ref: str | None, target: Commit
) -> list[Commit]:
    """The commits that changed ``path`` after the one the warehouse holds (from
    ``from_ref`` on, for a warehouse that holds none), up to ``target``."""
    commits = cache.commits(path, held, target.sha)
    if held is not None or from_ref is None:
        return commits
    first = cache.resolve(from_ref)
    if not cache.is_ancestor(first.sha, target.sha):
        raise GitSourceError(
            f"--from {from_ref} ({first.short}) is not in the history of {target.short}: "
            f"nothing was changed"
        )
    return [commit for commit in commits if cache.is_ancestor(first.sha, commit.sha)]


def _progress(
    logger: Log, commit: Commit, number: int, total: int, seconds: float, started: float
) -> None:
    elapsed = time.perf_counter() - started
    left = total - number
    estimate = f", about {elapsed / number * left:.0f} s left" if left else ""
    logger.info(
        "Commit %d/%d loaded: %s %s (%s) in %.1f s; %d left%s",
        number,
        total,
        commit.short,
        commit.time.strftime("%Y-%m-%d %H:%M"),
        commit.subject[:60],
        seconds,
        left,
        estimate,
    )
