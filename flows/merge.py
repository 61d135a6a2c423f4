"""A run's steps against the state file: plan what to read, merge the partition, record
the run, publish the analysts' copy; and rebuild the state from the lake alone."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import partial
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from flows import lake
from flows.settings import Layout
from flows.sqlfiles import read_sql
from flows.warehouse import (
    WAREHOUSE_VERSIONS,
    CheckResult,
    ChecksFailed,
    RunRecord,
    add_spare,
    apply_schema,
    conform,
    connect_state,
    copy_state,
    count_articles,
    duckdb_path,
    guard_mass_deletion,
    has_table,
    in_transaction,
    merge_partition,
    publish_file,
    published_version,
    record_run,
    register_discovered_files,
    rejected_files,
    remove_unpublished_files,
    run_checks,
    run_tables,
    schema_is_applied,
    spare_copy,
    state_is_held,
    table_counts,
    untouched,
)
from transforms import schemas
from transforms.articles import URL_SLUG
from transforms.batch import SourceFile, Unreadable

SUMMARY_REJECTED_ROWS = 20
CATCH_UP_BYTES = 1 << 30
"""Past this state size, publishing brings a spare file up to date rather than copying the
state: copying took 8.7 s for 3.4 GB (10x) and 0.3 s for 240 MB (1x); replaying two small
runs into a spare about 2 s at 10x and 1-1.5 s at 1x."""
CATCH_UP_SHARE = 0.1
"""Past this share of the state's files read since, a spare file is copied anew rather
than brought up to date: at 10x, merging every file took 53 s, copying the state 9 s."""
TO_READ_FILE = "to-read.parquet"
REUSE_CHUNK_FILES = 2000
DISCOVERED_FILE = "discovered.parquet"


@dataclass(frozen=True, slots=True)
class Plan:
    files_seen: int
    files_read: int
    """Files to read and parse."""
    files_deleted: int
    files_reused: int = 0
    """Files whose bytes the state loaded before: read, their rows copied, not parsed."""

    @property
    def files_taken(self) -> int:
        """Files new, changed or unreadable before: parsed, or their rows copied."""
        return self.files_read + self.files_reused

    @property
    def changes_nothing(self) -> bool:
        return self.files_taken == 0 and self.files_deleted == 0


@dataclass(frozen=True, slots=True)
class Committed:
    checks: list[CheckResult]
    counts: dict[str, int]
    rejected: list[dict[str, Any]]
    files_stale: int
    files_changed: int
    file_events: dict[str, int]


def parser_version() -> str:
    """Fingerprint of the transforms package's source: what a file's rows depend on."""
    digest = hashlib.sha256()
    package = resources.files("transforms")
    for entry in sorted(package.iterdir(), key=lambda item: item.name):
        if entry.name.endswith(".py"):
            digest.update(entry.name.encode() + b"\0" + entry.read_bytes())
    return digest.hexdigest()[:16]


def ensure_state(state_path: Path, applied_at: dt.datetime, parser: str) -> None:
    """Create the state with its schema, or apply this code's tables, views and macros to
    it when they are not the last applied."""
    state_path.parent.mkdir(parents=True, exist_ok=True)
    with connect_state(state_path) as con:
        if schema_is_applied(con):
            return

        def create() -> None:
            new = _derived_with(con) is None
            apply_schema(con, applied_at)
            if new:
                _record_derivation(con, parser, applied_at)

        in_transaction(con, create)


def _derived_with(con: duckdb.DuckDBPyConnection) -> str | None:
    if not has_table(con, "etl.derivations"):
        return None
    row = con.execute(
        "select parser_version from etl.derivations order by derived_at desc limit 1"
    ).fetchone()
    return str(row[0]) if row else None


def _record_derivation(con: duckdb.DuckDBPyConnection, parser: str, at: dt.datetime) -> None:
    con.execute(
        "insert into etl.derivations (parser_version, derived_at) values ($parser, $at)",
        {"parser": parser, "at": at},
    )


def state_parser(state_path: Path) -> str | None:
    with connect_state(state_path, read_only=True) as con:
        return _derived_with(con)


def next_run_no(state_path: Path) -> int:
    with connect_state(state_path, read_only=True) as con:
        row = con.execute("select coalesce(max(run_no), 0) + 1 from etl.runs").fetchone()
        return int(row[0]) if row else 1


@dataclass(frozen=True, slots=True)
class HeldSource:
    """What the warehouse holds of its source: the commit of its last loading run (None
    for a folder source) and the latest time its versions take."""

    commit: str | None
    source_time: dt.datetime | None


def held_source(state_path: Path) -> HeldSource:
    with connect_state(state_path, read_only=True) as con:
        row = con.execute(
            "select (select source_commit from etl.runs where status = 'succeeded' "
            "order by run_no desc limit 1), (select max(source_time) from etl.runs "
            "where status = 'succeeded')"
        ).fetchone()
    return HeldSource(row[0], row[1]) if row else HeldSource(None, None)


def files_held(state_path: Path) -> int:
    """The article files the state holds now."""
    with connect_state(state_path, read_only=True) as con:
        row = con.execute("select count(*) from etl.file_versions where is_current").fetchone()
        return int(row[0]) if row else 0


def discover_files(source: lake.Source, work: Path) -> int:
    """Every article file with its size and mtime, written to the work folder."""
    found = source.discover()
    work.mkdir(parents=True, exist_ok=True)
    pq.write_table(found, work / DISCOVERED_FILE)
    return int(found.num_rows)


def plan_reads(
    state_path: Path, work: Path, partition: Path, read_all: bool, source: lake.Source
) -> Plan:
    """Compare the discovered files with the state: write the files to read (path, mtime,
    blob id) to the work folder, and into the partition the deleted ones and the rows of
    those whose bytes the state loaded before (``sql/plan/files_to_reuse.sql``)."""
    with connect_state(state_path, read_only=True) as con:
        con.execute(
            "create temp table discovered as select * from read_parquet($path)",
            {"path": duckdb_path(work / DISCOVERED_FILE)},
        )
        seen = con.execute("select count(*) from discovered").fetchone()
        con.execute(
            f"create temp table to_read as {read_sql('plan', 'files_to_read')}",
            {"read_all": read_all},
        )
        reused = 0 if read_all or not _has_blob_ids(con) else _stage_reused(con, source, partition)
        to_read_rows = con.execute(
            "select * from to_read anti join reusable using (source_path) order by source_path"
            if reused
            else "select * from to_read order by source_path"
        ).to_arrow_table()
        deleted = con.execute(read_sql("plan", "files_deleted")).to_arrow_table()
    pq.write_table(to_read_rows, work / TO_READ_FILE)
    lake.write_deleted(partition, deleted)
    return Plan(int(seen[0]) if seen else 0, to_read_rows.num_rows, deleted.num_rows, reused)


def _has_blob_ids(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the files to read came from a git listing: a folder's have no blob ids
    before they are read, so nothing can be known to be copied."""
    row = con.execute("select count(blob_id) > 0 from to_read").fetchone()
    return bool(row and row[0])


REUSED_TABLES = {
    "pages": "etl.page_contents",
    "page_points": "etl.page_content_points",
    "page_keywords": "etl.page_content_keywords",
    "page_related_links": "etl.page_content_links",
    "search_documents": "etl.search_documents",
}
"""Each parsed table and the state's table that keeps its rows."""


def _stage_reused(con: duckdb.DuckDBPyConnection, source: lake.Source, partition: Path) -> int:
    """Write into the partition, as if parsed, the rows of the files to read whose bytes
    the state loaded before (table ``reusable``); they are read (the lake keeps every
    version's bytes), not parsed, a chunk at a time: the 13,545 of one real commit took
    the flow's process to 844 MB at once. A file that cannot be read is left to be read
    and parsed. Returns how many."""
    con.execute(
        f"create temp table reusable as {read_sql('plan', 'files_to_reuse')}",
        {"url_slug_pattern": URL_SLUG.pattern},
    )
    paths = [path for (path,) in con.execute("select source_path from reusable").fetchall()]
    return sum(
        _stage_reused_chunk(con, source, partition, paths[start : start + REUSE_CHUNK_FILES], n)
        for n, start in enumerate(range(0, len(paths), REUSE_CHUNK_FILES))
    )


def _stage_reused_chunk(
    con: duckdb.DuckDBPyConnection,
    source: lake.Source,
    partition: Path,
    paths: list[str],
    number: int,
) -> int:
    con.register("chunk_paths", pa.table({"source_path": pa.array(paths, pa.string())}))
    con.execute(
        "create or replace temp table reused as "
        "select * from reusable semi join chunk_paths using (source_path)"
    )
    found = con.execute("select source_path, blob_id from reused").to_arrow_table()
    raws = {path: raw for path, raw in source.read(found) if isinstance(raw, bytes)}
    con.register("blobs_read", pa.table({"source_path": pa.array(list(raws), pa.string())}))
    for table in ("reused", "reusable"):
        con.execute(
            f"delete from {table} where source_path in (select source_path from chunk_paths) "
            "and source_path not in (select source_path from blobs_read)"  # fixed names
        )
    files = con.execute(read_sql("plan", "reused_files")).to_arrow_table()
    if files.num_rows == 0:
        return 0
    raw = pa.array([raws[path] for path in files["source_path"].to_pylist()], pa.large_binary())
    files = conform(files, schemas.FILES)
    name = f"reused-{number:06d}.parquet"
    lake.write_table(
        partition, "files", files.set_column(files.schema.get_field_index("raw"), "raw", raw), name
    )
    for table, kept in REUSED_TABLES.items():
        rows = con.execute(
            f"select kept.* replace (reused.source_path as source_path) "  # fixed names
            f"from reused inner join {kept} as kept "
            f"on kept.source_path = reused.from_path and kept.sha256 = reused.sha256"
        ).to_arrow_table()
        lake.write_table(partition, table, conform(rows, schemas.PARSED_TABLES[table]), name)
    return int(files.num_rows)


def commit_run(
    state_path: Path,
    partition: Path,
    run: RunRecord,
    discovered_path: Path,
    plan: Plan,
    allow_mass_delete: bool,
) -> Committed:
    """Merge the run's partition into the state in one transaction with the data checks
    and the run's record; a failing error check or a mass deletion rolls it all back.
    Then checkpoint, so the file is whole for copying, unless this process holds the state
    open (a backfill's runs), where ``copy_state`` checkpoints."""
    with connect_state(state_path) as con:
        register_discovered_files(con, discovered_path)
        outcome: list[Committed] = []

        def merge() -> None:
            before = count_articles(con)
            merge_partition(con, partition, run)
            guard_mass_deletion(before, count_articles(con), allow_mass_delete)
            checks = run_checks(con)
            if any(c.severity == "error" and not c.passed for c in checks):
                raise ChecksFailed(checks)
            record_run(con, run, dt.datetime.now(dt.UTC), checks, plan.files_seen, plan.files_taken)
            outcome.append(_committed(con, run.run_id, checks))

        in_transaction(con, merge)
        if not state_is_held(state_path):
            con.execute("checkpoint")
    return outcome[0]


def _committed(con: duckdb.DuckDBPyConnection, run_id: str, checks: list[CheckResult]) -> Committed:
    """What the summary shows, from the run's row: counting the views again took 0.6 s of
    a 1x no-op run."""
    cursor = con.execute(read_sql("record", "run_counts"), {"run_id": run_id})
    columns = [column[0] for column in cursor.description or []]
    counts = dict(zip(columns, cursor.fetchone() or (), strict=True))
    stale = int(counts.pop("files_stale_count") or 0)
    changed = int(counts.pop("files_changed_count") or 0)
    return Committed(
        checks,
        {name: int(value or 0) for name, value in counts.items()},
        rejected_files(con, SUMMARY_REJECTED_ROWS),
        stale,
        changed,
        {
            str(event): int(files)
            for event, files in con.execute(
                read_sql("record", "run_events"), {"run_id": run_id}
            ).fetchall()
        },
    )


def record_unchanged_run(state_path: Path, run: RunRecord, plan: Plan) -> Committed:
    """A run that read nothing and found nothing deleted: only its record is written, and
    the run publishes that record alone (``publish_record``)."""
    with connect_state(state_path) as con:
        outcome: list[Committed] = []

        def record() -> None:
            record_run(con, run, dt.datetime.now(dt.UTC), [], plan.files_seen, 0)
            outcome.append(_committed(con, run.run_id, []))

        in_transaction(con, record)
    return outcome[0]


def record_failed_run(state_path: Path, run: RunRecord, checks: list[CheckResult]) -> None:
    """The record of a run that changed nothing: failed, or interrupted (cancelled)."""
    with connect_state(state_path) as con:
        in_transaction(
            con, lambda: record_run(con, run, dt.datetime.now(dt.UTC), checks, None, None)
        )


def finish_partition(state_path: Path, pending: Path) -> Path:
    """Write the run's record into its partition and publish it. A failed run's partition
    keeps its record only: its rows were never merged."""
    with connect_state(state_path, read_only=True) as con:
        tables = run_tables(con, lake.run_id_of(pending))
    succeeded = (
        tables["etl.runs"].num_rows and tables["etl.runs"]["status"][0].as_py() == "succeeded"
    )
    for child in pending.iterdir() if pending.is_dir() else []:
        if not succeeded and child.name not in schemas.RUN_TABLES:
            shutil.rmtree(child)
    lake.write_run_tables(pending, tables)
    return lake.publish_partition(pending)


def committed_runs(state_path: Path) -> set[str]:
    if not state_path.exists():
        return set()
    with connect_state(state_path, read_only=True) as con:
        return {str(row[0]) for row in con.execute("select run_id from etl.runs").fetchall()}


def last_run(state_path: Path) -> str | None:
    """The state's last run, whatever its outcome: the one the analysts' copy should be."""
    with connect_state(state_path, read_only=True) as con:
        row = con.execute("select run_id from etl.runs order by run_no desc limit 1").fetchone()
    return str(row[0]) if row else None


def note_unrecorded_run(layout: Layout, run: RunRecord, finished_at: dt.datetime) -> None:
    """Leave, for the next run that holds the lock, the record of a run that ended without
    it: the state is the lock holder's alone."""
    record = {**asdict(run), "finished_at": finished_at}
    layout.unrecorded_dir.mkdir(parents=True, exist_ok=True)
    written = layout.unrecorded_dir / f".{run.run_id}.tmp"
    written.write_text(json.dumps(record, default=str), encoding="utf-8")
    written.replace(layout.unrecorded_dir / f"{run.run_id}.json")


def record_unrecorded_runs(layout: Layout) -> int:
    """Record, each with its lake partition, the runs that ended without the run lock (timed
    out or interrupted waiting for it), from the notes they left; returns how many."""
    notes = sorted(layout.unrecorded_dir.glob("*.json")) if layout.unrecorded_dir.is_dir() else []
    committed = committed_runs(layout.state_path)
    for note in notes:
        record = json.loads(note.read_text(encoding="utf-8"))
        finished_at = dt.datetime.fromisoformat(record.pop("finished_at"))
        run = RunRecord(
            **{
                **record,
                "source_time": dt.datetime.fromisoformat(record["source_time"]),
                "started_at": dt.datetime.fromisoformat(record["started_at"]),
                "run_no": next_run_no(layout.state_path),
            }
        )
        if run.run_id not in committed:
            with connect_state(layout.state_path) as con:
                in_transaction(con, partial(record_run, con, run, finished_at, [], None, None))
            pending = lake.pending_partition(layout.lake_dir, run.run_no, run.run_id)
            finish_partition(layout.state_path, pending)
        note.unlink()
    return len(notes)


def catches_up(state_path: Path) -> bool:
    """Whether publishing brings a spare file up to date rather than copying the state."""
    return state_path.stat().st_size > CATCH_UP_BYTES


def publish(layout: Layout, run_id: str, version: str | None = None, catch_up: bool = False) -> str:
    """Make the analysts' file the state as of ``run_id`` (a no-op when it is already): a
    copy of the state, or with ``catch_up`` the spare file brought up to date from the lake
    where it can be. Catching up, a publish that leaves no spare (the first, one after a
    rebuild, one whose previous file a session wrote to) copies the state twice: copying
    costs as much as the state's size, bringing the spare up to date as much as the runs
    it lacks. Says which it did."""
    db_path = layout.database_path
    if version is None and published_version(db_path) == run_id:
        return "already published"
    started = time.perf_counter()
    target = db_path.parent / WAREHOUSE_VERSIONS / f"{version or run_id}{db_path.suffix}"
    spare = spare_copy(db_path) if catch_up else None
    reason = "no spare file" if catch_up else "a rebuild" if version else "the state is small"
    replayed = None
    if spare is not None:
        try:
            replayed = _catch_up(layout, spare, state_facts(layout.state_path))
            spare.replace(target)
        except _CannotCatchUp as why:
            reason = str(why)
    if replayed is None:
        copy_state(layout.state_path, target)
        how = f"copied the state ({reason})"
    else:
        how = f"brought the spare file up to date ({replayed} runs replayed)"
    publish_file(db_path, target, keep_previous=catch_up)
    if catch_up and spare_copy(db_path) is None:
        spare = target.with_name(f"{target.stem}~spare{target.suffix}")
        copy_state(layout.state_path, spare)
        add_spare(db_path, spare)
        how += ", and copied it again as the next spare"
    return f"{how} in {time.perf_counter() - started:.1f} s"


def publish_record(layout: Layout, run_id: str, catch_up: bool = False) -> str:
    """Publish a run that changed no rows (nothing changed, it failed or it was stopped) as
    records alone, without copying the state: the spare file (the one published before)
    with the records of the runs it lacks added, when they all changed no rows (failed,
    or no file changed), which costs the records only; else a copy of the analysts' file
    with this run's record added, keeping that file as the spare (the old spare goes,
    whatever kept it from taking the records). With ``catch_up`` the spare is otherwise
    brought up to date from the lake; when the analysts' file is not the state as of the
    run before (a session wrote to it, or runs were recorded since), the state is
    published. With no analysts' file yet, none is made: the record shows from the first
    run that loads."""
    db_path = layout.database_path
    if not db_path.is_symlink():
        return "no analysts' file yet: the first run that loads publishes this record"
    started = time.perf_counter()
    spare = spare_copy(db_path)
    if spare is not None:
        try:
            added = _add_records(layout.state_path, spare)
        except (_CannotCatchUp, duckdb.Error, OSError):
            pass
        else:
            _publish_records(db_path, spare, run_id)
            return f"added {added} runs' records to the spare file in {_since(started)}"
    current = db_path.resolve()
    behind = published_version(db_path) != _run_before(layout.state_path, run_id)
    if catch_up or behind or not untouched(db_path, current):
        return publish(layout, run_id, catch_up=catch_up)
    copy = current.with_name(f".{run_id}.copy{db_path.suffix}")
    copy_state(current, copy)
    try:
        _add_records(layout.state_path, copy, as_state=False)
    except _CannotCatchUp:
        copy.unlink()
        return publish(layout, run_id)
    _publish_records(db_path, copy, run_id)
    return f"added the run's record to a copy in {_since(started)}"


def _publish_records(db_path: Path, written: Path, run_id: str) -> None:
    target = written.with_name(f"{run_id}{db_path.suffix}")
    written.replace(target)
    publish_file(db_path, target, keep_previous=True)


def _since(started: float) -> str:
    return f"{time.perf_counter() - started:.1f} s"


def _add_records(state_path: Path, file: Path, as_state: bool = True) -> int:
    """Add to ``file``, the analysts' file as of an earlier run, the records (``etl.runs``
    and ``etl.check_results`` rows) of the state's runs it lacks, in one transaction;
    returns how many. Raises ``_CannotCatchUp``, with the file as it was, when a session
    holds it, one of those runs changed rows, or, ``as_state``, it does not come out with
    the state's row counts: the published file keeps its rows when the state's were
    changed outside a run."""
    try:
        con = connect_state(file)
    except duckdb.Error as error:
        raise _CannotCatchUp("a session holds the file") from error
    with con, connect_state(state_path, read_only=True) as state:
        have = dict(con.execute("select run_no, run_id from etl.runs").fetchall())
        runs = state.execute(
            "select run_no, run_id, "
            "status = 'succeeded' and coalesce(files_changed_count, 1) > 0 from etl.runs"
        ).fetchall()
        held = {run_no: run_id for run_no, run_id, _changed in runs}
        if any(held.get(run_no) != run_id for run_no, run_id in have.items()):
            raise _CannotCatchUp("the file's runs are not the state's")
        missing = [run_id for run_no, run_id in held.items() if run_no not in have]
        if any(changed for run_no, _id, changed in runs if run_no not in have):
            raise _CannotCatchUp("a run since the file's changed rows")
        if _derived_with(con) != _derived_with(state):
            raise _CannotCatchUp("the file was derived by other parsing code")
        records = [run_tables(state, run_id) for run_id in missing]
        counts = table_counts(state) if as_state else None

        def add() -> None:
            if not schema_is_applied(con):
                apply_schema(con, dt.datetime.now(dt.UTC))
            for tables in records:
                for table, rows in tables.items():
                    con.register("record_rows", rows)
                    con.execute(f"insert into {table} by name select * from record_rows")  # fixed
                    con.unregister("record_rows")
            if counts is not None and table_counts(con) != counts:
                raise _CannotCatchUp("adding the records did not give the state's row counts")

        in_transaction(con, add)
        con.execute("checkpoint")
    return len(missing)


def _run_before(state_path: Path, run_id: str) -> str | None:
    with connect_state(state_path, read_only=True) as con:
        row = con.execute(
            "select run_id from etl.runs where run_no < "
            "(select run_no from etl.runs where run_id = $run_id) order by run_no desc limit 1",
            {"run_id": run_id},
        ).fetchone()
    return str(row[0]) if row else None


@dataclass(frozen=True, slots=True)
class StateFacts:
    """What a spare file must agree with to be brought up to a state."""

    parser: str | None
    runs: dict[int, str]
    files_read: dict[int, int]
    files_held: int
    counts: dict[str, int]


def state_facts(state_path: Path) -> StateFacts:
    with connect_state(state_path, read_only=True) as state:
        runs = state.execute("select run_no, run_id, files_read_count from etl.runs").fetchall()
        parser, counts = _derived_with(state), table_counts(state)
    return StateFacts(
        parser=parser,
        runs={int(run_no): str(run_id) for run_no, run_id, _read in runs},
        files_read={int(run_no): int(read or 0) for run_no, _id, read in runs},
        files_held=files_held(state_path),
        counts=counts,
    )


class _CannotCatchUp(Exception):
    """Why the spare file cannot be brought up to the state; it is left as it was."""


def _catch_up(layout: Layout, spare: Path, facts: StateFacts) -> int:
    """Replay into the spare, from the lake and in one transaction, the runs of the state
    ``facts`` describe that it lacks; returns how many. Raises ``_CannotCatchUp``, with
    the spare as it was, when a session holds it or it does not come out with the
    state's row counts."""
    try:
        con = connect_state(spare)
    except duckdb.Error as error:
        raise _CannotCatchUp("a session holds the spare file") from error
    replayed: list[int] = []
    with con:
        in_transaction(con, lambda: replayed.append(_replay_missing(con, layout, facts)))
        con.execute("checkpoint")
    return replayed[0]


def _replay_missing(con: duckdb.DuckDBPyConnection, layout: Layout, facts: StateFacts) -> int:
    rows = con.execute("select run_no, run_id from etl.runs").fetchall()
    have = {int(run_no): str(run_id) for run_no, run_id in rows}
    last = max(have, default=0)
    read = sum(count for run_no, count in facts.files_read.items() if run_no > last)
    if facts.parser is None or _derived_with(con) != facts.parser:
        raise _CannotCatchUp("the spare file was derived by other parsing code")
    if read > CATCH_UP_SHARE * facts.files_held:
        raise _CannotCatchUp(f"{read:,} files were read since the spare file's last run")
    if any(facts.runs.get(run_no) != run_id for run_no, run_id in have.items()):
        raise _CannotCatchUp("the spare file's runs are not the state's")
    if not schema_is_applied(con):
        apply_schema(con, dt.datetime.now(dt.UTC))
    missing = set(facts.runs.values()) - set(have.values())
    replayed = _replay_runs(
        con, layout.lake_dir, facts.parser, layout.work_dir / "catch-up", missing
    )
    if table_counts(con) != facts.counts:
        raise _CannotCatchUp("replaying did not give the state's row counts")
    return replayed


def finish_committed(layout: Layout) -> None:
    """What a killed run left half done, finished or removed (under the run lock): its
    pending partition, published if the state committed its run and deleted otherwise;
    an analysts' copy older than the state (none is made while no run has loaded: failed
    runs alone publish nothing); copies nobody publishes any more."""
    committed = committed_runs(layout.state_path)
    for pending in lake.remove_pending(layout.lake_dir, committed):
        finish_partition(layout.state_path, pending)
    lake.remove_compacted(layout.lake_dir)
    last = last_run(layout.state_path) if committed else None
    if last is not None and (
        layout.database_path.is_symlink() or held_source(layout.state_path).source_time
    ):
        publish(layout, last, catch_up=catches_up(layout.state_path))
    remove_unpublished_files(layout.database_path)


def replace_state(layout: Layout, work: Path, parser: str, applied_at: dt.datetime) -> int:
    """Rebuild the state from the lake in ``work`` and swap it in by rename: the old state
    stays whole until the new one is. Returns the runs replayed."""
    work.mkdir(parents=True, exist_ok=True)
    replayed = rebuild_state(layout.lake_dir, work / "state.duckdb", parser, applied_at, work)
    layout.state_path.parent.mkdir(parents=True, exist_ok=True)
    (work / "state.duckdb").replace(layout.state_path)
    return replayed


def rebuild_state(
    lake_dir: Path, target: Path, parser: str, applied_at: dt.datetime, scratch: Path
) -> int:
    """Build a state file from the lake's partitions alone, replaying each run's merge in
    run order. A run parsed by other code is parsed again from its raw bytes with this
    code. Returns the number of runs replayed."""
    with connect_state(target) as con:
        in_transaction(con, lambda: apply_schema(con, applied_at))
        replayed = _replay_runs(con, lake_dir, parser, scratch, None, in_transaction)
        in_transaction(con, lambda: _record_derivation(con, parser, applied_at))
        con.execute("checkpoint")
    return replayed


def _replay_runs(
    con: duckdb.DuckDBPyConnection,
    lake_dir: Path,
    parser: str,
    scratch: Path,
    runs: set[str] | None,
    each: Callable[[duckdb.DuckDBPyConnection, Callable[[], None]], None] = lambda _c, work: work(),
) -> int:
    """Replay the lake's runs (those in ``runs``, or all), in run order, each through
    ``each`` (its own transaction, or none inside the caller's)."""
    replayed: set[str] = set()
    for partition in lake.published_partitions(lake_dir):
        for row in lake.read_run_rows(partition).to_pylist():
            if row["run_id"] not in replayed and (runs is None or row["run_id"] in runs):
                each(con, partial(_replay, con, partition, row, parser, scratch))
                replayed.add(row["run_id"])
    return len(replayed)


def _replay(
    con: duckdb.DuckDBPyConnection,
    partition: Path,
    row: dict[str, Any],
    parser: str,
    scratch: Path,
) -> None:
    compacted = lake.is_compacted(partition)
    if row["status"] == "succeeded" and row["load_mode"] != "unchanged":
        run = RunRecord(
            run_id=row["run_id"],
            run_no=row["run_no"],
            flow_run_name=row["flow_run_name"],
            source_time=row["source_time"],
            started_at=row["started_at"],
            status=row["status"],
            source_root=row["source_root"],
        )
        if row["parser_version"] == parser:
            merge_partition(con, partition, run, compacted)
        else:
            reparsed = _parse_again(partition, row["run_id"], scratch / row["run_id"])
            merge_partition(con, reparsed, run)
    for table, schema in schemas.RUN_TABLES.items():
        if lake.has_table(partition, table):
            rows = pq.read_table(
                partition / table, schema=schema, filters=[("run_id", "=", row["run_id"])]
            )
            con.register("replayed_rows", rows)
            con.execute(f"insert into {table} by name select * from replayed_rows")  # fixed names
            con.unregister("replayed_rows")


def _parse_again(partition: Path, run_id: str, scratch: Path) -> Path:
    """One run's files parsed again by this code, written as a partition of its own."""
    compacted = lake.is_compacted(partition)
    for number, path in enumerate(sorted((partition / "files").glob("*.parquet"))):
        read = pq.read_table(path, filters=[("run_id", "=", run_id)] if compacted else None)
        read = read.select(schemas.FILES.names)
        deleted = read.filter(pc.field("is_deleted"))
        kept = read.filter(~pc.field("is_deleted"))
        tables = lake.parse_and_index(
            SourceFile(row["source_path"], row["mtime_ns"], _raw_or_unreadable(row))
            for row in kept.to_pylist()
        )
        for name, table in tables.items():
            lake.write_table(scratch, name, table, f"batch-{number:06d}.parquet")
        if deleted.num_rows:
            lake.write_table(scratch, "files", deleted, f"deleted-{number:06d}.parquet")
    return scratch


def _raw_or_unreadable(row: dict[str, Any]) -> bytes | Unreadable:
    if row["raw"] is None:
        return Unreadable(row["error_message"] or "cannot read file")
    return bytes(row["raw"])


OLD_LAKE_VERSIONS = ".lakes"
OLD_STAMP = ".quicktakes.duckdb.built.json"


def upgrade_old_warehouse(layout: Layout, applied_at: dt.datetime) -> int:
    """Carry a warehouse of schema versions 1-4 (whole-lake builds, no state file) over to
    this one: its run history and check results go into the new state and the lake (one
    partition holding those runs only), and its old lake is removed. Its data is read anew
    from the source by the run that follows, so history of the rows starts there. Returns
    the runs carried over."""
    history = _old_history(layout)
    layout.state_path.parent.mkdir(parents=True, exist_ok=True)
    with connect_state(layout.state_path) as con:

        def carry() -> None:
            apply_schema(con, applied_at)
            for table, rows in history.items():
                con.register("old_rows", rows)
                con.execute(f"insert into {table} by name select * from old_rows")  # fixed
                con.unregister("old_rows")

        in_transaction(con, carry)
        runs = history["etl.runs"]
        if runs.num_rows:
            first, last = runs["run_no"][0].as_py(), runs["run_no"][-1].as_py()
            pending = layout.lake_dir / lake.PENDING_DIR / f"{first:06d}-{last:06d}.compacted"
            _remove_old_lake(layout)
            lake.write_run_tables(pending, history)
            lake.publish_partition(pending)
        else:
            _remove_old_lake(layout)
    return int(history["etl.runs"].num_rows)


def _remove_old_lake(layout: Layout) -> None:
    if layout.lake_dir.is_symlink():
        layout.lake_dir.unlink()
    elif (layout.lake_dir / "etl").is_dir():
        shutil.rmtree(layout.lake_dir)
    shutil.rmtree(layout.warehouse_dir / OLD_LAKE_VERSIONS, ignore_errors=True)
    (layout.warehouse_dir / OLD_STAMP).unlink(missing_ok=True)


def is_old_warehouse(layout: Layout) -> bool:
    return not layout.state_path.exists() and (
        layout.database_path.exists() or layout.lake_dir.is_symlink()
    )


def _old_history(layout: Layout) -> dict[str, pa.Table]:
    """The old warehouse's etl.runs and etl.check_results, from its file or, when an
    analyst's session holds that, from its lake; numbered in start order."""
    try:
        with duckdb.connect(str(layout.database_path), read_only=True) as con:
            tables = {
                table: con.execute(f"select * from {table}").to_arrow_table()  # fixed names
                for table in schemas.RUN_TABLES
                if has_table(con, table)
            }
    except duckdb.Error:
        tables = {
            table: pq.read_table(layout.lake_dir.joinpath(*table.split(".")))
            for table in schemas.RUN_TABLES
            if layout.lake_dir.joinpath(*table.split(".")).is_dir()
        }
    runs = tables.get("etl.runs", pa.table({"run_id": pa.array([], pa.string())}))
    with duckdb.connect() as con:
        con.register("old_runs", runs)
        numbered = con.execute(
            "select *, row_number() over (order by started_at, run_id) as run_no, "
            "started_at as source_time from old_runs order by run_no"
            if runs.num_rows
            else "select * from old_runs"
        ).to_arrow_table()
    history = {"etl.runs": conform(numbered, schemas.RUNS)}
    history["etl.check_results"] = conform(
        tables.get("etl.check_results", pa.table({})), schemas.CHECK_RESULTS
    )
    return history
