"""The DuckDB state file: its schema, the merge of a run's partition, checks, publishing.

The state file belongs to runs (under the run lock); analysts read a copy of it. A run
changes it in one transaction: a kill at any point leaves the state as it was before or
after the run, and DuckDB's write-ahead log is the only recovery needed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import shutil
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from flows.errors import RunRefused
from flows.sqlfiles import check_severity, read_sql, read_sql_files
from transforms import schemas

SEARCH_EXTENSION = Path(
    str(
        resources.files("duckdb_extension_fts")
        / "extensions"
        / f"v{duckdb.__version__}"
        / "fts.duckdb_extension"
    )
)
"""DuckDB's fts extension as the duckdb-extension-fts package ships it for this DuckDB."""
WAREHOUSE_VERSIONS = ".warehouses"
DATABASE_FILE = "quicktakes.duckdb"
STATE_FILE = ".state/state.duckdb"
COPIES_FILE = ".state/copies.json"
"""The analysts' files runs wrote, with their size and mtime then: ``{name: [size, ns]}``."""
LAKE_DIR = "lake"
CHECK_SAMPLE_ROWS = 5
SCHEMA_VERSION = 5
"""Version 5 is the warehouse of versioned pages; 1-4 were whole-lake builds."""
# DuckDB's own allocations run some 300-450 MB past this limit (measured on a 10x corpus).
STATE_MEMORY_LIMIT = "384MB"
STORAGE_VERSION = "v1.5.0"
"""The storage format of the files a run creates. DuckDB's default, that of v0.10, stores
long strings (answers, point bodies) uncompressed; this one compresses them (FSST with a
dictionary). Files made before keep theirs. DuckDB older than 1.5 cannot open them."""
SCHEMA_OBJECTS = (
    ("macros", "normalized_text"),
    ("macros", "word_count"),
    ("macros", "answer_structure"),
    ("views", "page_versions"),
    ("views", "article_versions"),
    ("macros", "subjects_as_of"),
    ("macros", "articles_as_of"),
    ("macros", "article_listings_as_of"),
    ("macros", "answer_points_as_of"),
    ("views", "subjects"),
    ("views", "etl.source_files"),
    ("views", "etl.rejected_files"),
    ("macros", "etl.derived_articles_of"),
    ("views", "etl.derived_articles"),
    ("views", "articles"),
    ("views", "article_listings"),
    ("views", "answer_points"),
    ("views", "page_keywords"),
    ("views", "page_related_links"),
    ("views", "article_keywords"),
    ("views", "related_articles"),
    ("macros", "etl.search_words"),
    ("macros", "etl.search_ranked"),
    ("macros", "search_articles"),
    ("macros", "search_points"),
)
"""Macros and views in dependency order: DuckDB binds each when it is created."""
MERGE_INPUTS = {
    "run_files": "files",
    "run_pages": "pages",
    "run_points": "page_points",
    "run_keywords": "page_keywords",
    "run_links": "page_related_links",
    "run_search_documents": "search_documents",
}
"""Temp views the merge reads, over a partition's parsed tables."""


@dataclass(frozen=True, slots=True)
class CheckResult:
    name: str
    severity: str
    failing_row_count: int
    sample_rows: list[dict[str, Any]]

    @property
    def passed(self) -> bool:
        return self.failing_row_count == 0


@dataclass(frozen=True, slots=True)
class RunRecord:
    run_id: str
    run_no: int
    flow_run_name: str | None
    source_time: dt.datetime
    started_at: dt.datetime
    status: str
    source_root: str
    load_mode: str | None = None
    parser_version: str | None = None
    error_message: str | None = None
    source_commit: str | None = None
    source_commit_time: dt.datetime | None = None
    source_commit_subject: str | None = None


class ChecksFailed(RunRefused):
    """Error-severity data checks found rows: the merge is rolled back, nothing is published."""

    def __init__(self, checks: Sequence[CheckResult]) -> None:
        self.checks = list(checks)
        self.failed = [c for c in checks if c.severity == "error" and not c.passed]
        names = ", ".join(f"{c.name} ({c.failing_row_count} rows)" for c in self.failed)
        super().__init__(f"data checks failed, nothing published: {names}")

    def __reduce__(self) -> tuple[type[ChecksFailed], tuple[list[CheckResult]]]:
        """Rebuilt from its checks when it crosses from the merge's process."""
        return ChecksFailed, (self.checks,)


class MassDeletion(RunRefused):
    """The run would remove most current articles: it looks like a missing source."""


class IncompatibleWarehouse(Exception):
    """The warehouse was written by a newer quicktakes-etl, or is not a warehouse."""


MASS_DELETE_SHARE = 0.5


_HELD: dict[Path, duckdb.DuckDBPyConnection] = {}
"""The state files this process holds open (``hold_state_open``), by resolved path."""


def connect_state(state_path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """The state file, with DuckDB's memory capped and its progress bar off (it wrote
    carriage-return redraws into the run's log). While this process holds the file open,
    a cursor of that connection, read-write whatever ``read_only`` says."""
    held = _HELD.get(state_path.resolve())
    con = (
        held.cursor()
        if held is not None
        else duckdb.connect(
            str(state_path),
            read_only=read_only,
            config={
                "memory_limit": STATE_MEMORY_LIMIT,
                "storage_compatibility_version": STORAGE_VERSION,
            },
        )
    )
    con.execute("set enable_progress_bar = false")
    return con


@contextlib.contextmanager
def hold_state_open(state_path: Path) -> Iterator[None]:
    """Keep one DuckDB instance of the state open in this process while the block runs, for
    a backfill's many runs: every ``connect_state`` gets a cursor of it, so no run opens
    the file, replays its log or checkpoints when it ends. DuckDB checkpoints when its log
    grows past its threshold; ``copy_state`` checkpoints first; the last cursor's close
    checkpoints the rest. No other process can open the file meanwhile: steps that run in
    processes of their own run in this one (``state_is_held``)."""
    key = state_path.resolve()
    con = connect_state(state_path)
    _HELD[key] = con
    try:
        yield
    finally:
        del _HELD[key]
        con.close()


def state_is_held(state_path: Path | None = None) -> bool:
    """Whether this process holds ``state_path`` (any state file, for None) open."""
    return bool(_HELD) if state_path is None else state_path.resolve() in _HELD


def read_schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """0 for an empty file, the recorded version otherwise (1 for one from before versions)."""
    tables = {
        row[0]
        for row in con.execute(
            "select schema_name || '.' || table_name from duckdb_tables() "
            "where database_name = current_database()"
        ).fetchall()
    }
    if "etl.schema_version" in tables:
        row = con.execute("select max(version) from etl.schema_version").fetchone()
        return int(row[0]) if row and row[0] is not None else 0
    return 1 if "etl.runs" in tables else 0


def check_state(state_path: Path, db_path: Path) -> int:
    """The warehouse's schema version (0: none yet), from the state file or, before the
    first run of this version, the published file; raise when this project cannot use it.
    A published file an analyst's read-write session holds counts as an older one."""
    if state_path.exists():
        path = state_path
    elif db_path.exists():
        path = db_path
    else:
        return 0
    try:
        with connect_state(path, read_only=True) as con:
            version = read_schema_version(con)
    except duckdb.IOException as error:
        if path == db_path and "lock" in str(error).lower():
            return 1
        raise IncompatibleWarehouse(f"cannot open warehouse {path}: {first_line(error)}") from None
    except duckdb.Error as error:
        raise IncompatibleWarehouse(f"cannot open warehouse {path}: {first_line(error)}") from None
    if version > SCHEMA_VERSION:
        raise IncompatibleWarehouse(
            f"warehouse {db_path} has schema version {version}, newer than this "
            f"quicktakes-etl supports ({SCHEMA_VERSION}): upgrade quicktakes-etl"
        )
    return version


def first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def load_search_extension(con: duckdb.DuckDBPyConnection) -> None:
    """DuckDB's full-text search extension (fts), from the duckdb-extension-fts package: its
    stemmer builds the search index (in the parse workers) and its macros use it. Loaded
    only where needed, applying the schema and searching: it costs some 30 ms per database
    opened."""
    con.execute(f"load '{_sql_text(str(SEARCH_EXTENSION))}'")


def install_search_extension() -> None:
    """Install fts, from the package, where a plain ``duckdb`` session finds it
    (``~/.duckdb/extensions``), so the analysts' search macros work offline there; a home
    that cannot be written to is left as it is."""
    with contextlib.suppress(duckdb.Error, OSError), duckdb.connect() as con:
        installed = con.execute(
            "select installed from duckdb_extensions() where extension_name = 'fts'"
        ).fetchone()
        if not (installed and installed[0]):
            con.execute(f"install '{_sql_text(str(SEARCH_EXTENSION))}'")


def apply_schema(con: duckdb.DuckDBPyConnection, applied_at: dt.datetime) -> None:
    """Tables that are missing, and every macro, view and report anew; safe to repeat."""
    load_search_extension(con)
    statements = _schema_statements()
    for statement in statements:
        con.execute(statement)
    con.execute(
        "insert or ignore into etl.schema_version (version, applied_at) values ($version, $at)",
        {"version": SCHEMA_VERSION, "at": applied_at},
    )
    con.execute(
        "insert or replace into etl.schema_objects (fingerprint, applied_at) values ($sha, $at)",
        {"sha": _fingerprint(statements), "at": applied_at},
    )


def has_table(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    """Whether the file holds ``schema.name``."""
    schema, name = table.split(".")
    row = con.execute(
        "select count(*) from duckdb_tables() where database_name = current_database() "
        "and schema_name = $schema and table_name = $name",
        {"schema": schema, "name": name},
    ).fetchone()
    return bool(row and row[0])


def schema_is_applied(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether this code's tables, views, macros and reports are the file's already (the
    last applied): applying them again took 0.3 s a run on a 10x state."""
    if not has_table(con, "etl.schema_objects"):
        return False
    row = con.execute(
        "select fingerprint from etl.schema_objects order by applied_at desc limit 1"
    ).fetchone()
    return row is not None and row[0] == _fingerprint(_schema_statements())


def _schema_statements() -> list[str]:
    ddl = [read_sql("ddl", "schemas")]
    ddl += [sql_file.text for sql_file in read_sql_files("ddl") if sql_file.name != "schemas"]
    objects = [read_sql(folder, name) for folder, name in SCHEMA_OBJECTS]
    return ddl + objects + [sql_file.text for sql_file in read_sql_files("reports")]


def _fingerprint(statements: Sequence[str]) -> str:
    digest = hashlib.sha256(str(SCHEMA_VERSION).encode())
    for statement in statements:
        digest.update(b"\0" + statement.encode())
    return digest.hexdigest()[:16]


def duckdb_path(path: Path) -> str:
    """A path for DuckDB's file readers, which glob every path they are given: ``*``, ``?``
    and ``[`` in a folder name (``/data/wh[prod]``) become one-character classes."""
    return re.sub(r"([\[*?])", r"[\1]", str(path))


def register_partition(
    con: duckdb.DuckDBPyConnection, parsed: Path, run_id: str | None = None
) -> None:
    """The merge's input views over one partition's parsed tables (empty where it has none);
    of a compacted partition, the rows of one run."""
    con.execute("set variable replayed_run_id = $run_id", {"run_id": run_id})
    for view, table in MERGE_INPUTS.items():
        folder = parsed / table
        if folder.is_dir() and any(folder.glob("*.parquet")):
            columns = ", ".join(schemas.PARSED_TABLES[table].names)
            only = " where run_id = getvariable('replayed_run_id')" if run_id is not None else ""
            con.execute(
                f"create or replace temp view {view} as select {columns} "
                f"from read_parquet('{_sql_text(duckdb_path(folder))}/*.parquet'){only}"
            )
        else:
            con.register(f"{view}_empty", schemas.PARSED_TABLES[table].empty_table())
            con.execute(f"create or replace temp view {view} as select * from {view}_empty")


def _sql_text(text: str) -> str:
    """A path inside a view's SQL text: DDL cannot take bind parameters, and
    ``read_parquet`` in a view takes no variable."""
    return text.replace("'", "''")


def merge_partition(
    con: duckdb.DuckDBPyConnection, parsed: Path, run: RunRecord, compacted: bool = False
) -> None:
    """Apply one run's partition to the state (inside the caller's transaction): close and
    open file, page and article versions, as ``sql/merge`` says, in file-name order.

    On one thread: DuckDB's parallel inserts leave part-filled row groups, and a later
    checkpoint merges those by rewriting them, so that some small run long after a full
    load or rebuild would pay for rewriting most of the state's text. One thread appends
    whole row groups, and every checkpoint costs what the run added."""
    register_partition(con, parsed, run.run_id if compacted else None)
    parameters = {"run_id": run.run_id, "source_time": run.source_time}
    con.execute("set threads = 1")
    for step in read_sql_files("merge"):
        used = {name: value for name, value in parameters.items() if f"${name}" in step.text}
        con.execute(step.text, used)
    con.execute("reset threads")


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rows in each of the file's tables."""
    names = con.execute(
        "select schema_name || '.' || table_name from duckdb_tables() "
        "where database_name = current_database() order by 1"
    ).fetchall()
    counts = {}
    for (name,) in names:
        row = con.execute(f"select count(*) from {name}").fetchone()  # a name from the catalog
        counts[name] = int(row[0]) if row else 0
    return counts


def count_articles(con: duckdb.DuckDBPyConnection) -> int:
    row = con.execute("select count(*) from etl.article_spans where is_current").fetchone()
    return int(row[0]) if row else 0


def guard_mass_deletion(before: int, after: int, allowed: bool) -> None:
    """Stop before committing when most current articles would vanish at once."""
    if allowed or before == 0 or after >= before * MASS_DELETE_SHARE:
        return
    raise MassDeletion(
        f"this run would remove {before - after:,} of {before:,} articles, more than half: "
        f"an empty or unmounted source folder looks like this. Nothing was changed; run "
        f"with --allow-mass-delete if the removal is intended"
    )


def register_discovered_files(con: duckdb.DuckDBPyConnection, discovered: Path) -> None:
    """The run's file list as the temp table the file accounting check compares against,
    read by DuckDB: pyarrow's memory pool would keep what reading it took for the rest of
    the merge's process."""
    con.execute(
        "create or replace temp table discovered_files as "
        "select source_path from read_parquet($path)",
        {"path": duckdb_path(discovered)},
    )


def run_checks(con: duckdb.DuckDBPyConnection) -> list[CheckResult]:
    """Run every ``sql/checks`` query; a check's rows are its failures."""
    results = []
    for sql_file in read_sql_files("checks"):
        cursor = con.execute(sql_file.text)
        columns = [column[0] for column in cursor.description or []]
        rows = cursor.fetchmany(CHECK_SAMPLE_ROWS)
        failing = len(rows) + len(cursor.fetchall()) if rows else 0
        results.append(
            CheckResult(
                name=sql_file.name,
                severity=check_severity(sql_file.text),
                failing_row_count=failing,
                sample_rows=[dict(zip(columns, row, strict=True)) for row in rows],
            )
        )
    return results


def record_run(
    con: duckdb.DuckDBPyConnection,
    run: RunRecord,
    finished_at: dt.datetime,
    checks: Sequence[CheckResult],
    files_seen: int | None,
    files_read: int | None,
) -> None:
    """The run's row and its check results, with counts of the state as it now is."""
    con.execute(
        read_sql("record", "etl.runs"),
        {
            "run_id": run.run_id,
            "run_no": run.run_no,
            "flow_run_name": run.flow_run_name,
            "source_time": run.source_time,
            "started_at": run.started_at,
            "finished_at": finished_at,
            "status": run.status,
            "source_root": run.source_root,
            "files_seen_count": files_seen,
            "files_read_count": files_read,
            "load_mode": run.load_mode,
            "parser_version": run.parser_version,
            "error_message": run.error_message,
            "source_commit": run.source_commit,
            "source_commit_time": run.source_commit_time,
            "source_commit_subject": run.source_commit_subject,
            "with_counts": run.status == "succeeded",
        },
    )
    for check in checks:
        con.execute(
            read_sql("record", "etl.check_results"),
            {
                "run_id": run.run_id,
                "check_name": check.name,
                "severity": check.severity,
                "failing_row_count": check.failing_row_count,
                "sample_rows": json.dumps(check.sample_rows, default=str),
            },
        )


def in_transaction(con: duckdb.DuckDBPyConnection, work: Callable[[], None]) -> None:
    """Run ``work`` in one transaction. A rollback that fails too (the transaction already
    gone, the database invalidated by a fatal error) does not replace the work's error."""
    con.execute("begin transaction")
    try:
        work()
    except BaseException:
        with contextlib.suppress(duckdb.Error):
            con.execute("rollback")
        raise
    con.execute("commit")


def run_tables(con: duckdb.DuckDBPyConnection, run_id: str) -> dict[str, pa.Table]:
    """A run's row and check results as the state holds them, for its lake partition."""
    return {
        table: conform(
            con.execute(
                f"select * from {table} where run_id = $run_id order by all",  # fixed names
                {"run_id": run_id},
            ).to_arrow_table(),
            schema,
        )
        for table, schema in schemas.RUN_TABLES.items()
    }


def conform(rows: pa.Table, schema: pa.Schema) -> pa.Table:
    """The columns of ``schema``, taken by name, null where ``rows`` has none."""
    return pa.table(
        {
            field.name: rows.column(field.name).cast(field.type)
            if field.name in rows.column_names
            else pa.nulls(rows.num_rows, field.type)
            for field in schema
        },
        schema=schema,
    )


def copy_state(state_path: Path, target: Path) -> None:
    """A copy of the state (checkpointed: closed, or held open and checkpointed here) at
    ``target``, whole or not there, and on disk before it takes that name: a link swapped
    to a copy the kernel had not yet written would point at a torn file after a power
    cut, which no later run would notice."""
    held = _HELD.get(state_path.resolve())
    if held is not None:
        held.execute("checkpoint")
    target.parent.mkdir(exist_ok=True)
    partial = target.with_name(f".{target.name}.tmp")
    shutil.copyfile(state_path, partial)
    written = os.open(partial, os.O_RDONLY)
    try:
        os.fsync(written)
    finally:
        os.close(written)
    partial.rename(target)


def publish_file(db_path: Path, target: Path, keep_previous: bool) -> None:
    """Make ``target`` (in ``.warehouses/``, written and closed) the analysts' file by one
    atomic rename of the link. The file published before can stay as the spare a later
    run brings up to date in place of a copy; older ones are removed."""
    previous = db_path.resolve() if db_path.is_symlink() and keep_previous else None
    stamps = _read_stamps(db_path)
    kept = {target.name, previous.name if previous else ""}
    _write_stamps(db_path, {**_stamp(target), **{n: s for n, s in stamps.items() if n in kept}})
    swap_link(db_path, Path(WAREHOUSE_VERSIONS) / target.name)
    remove_unpublished_files(db_path)
    install_search_extension()


def spare_copy(db_path: Path) -> Path | None:
    """An earlier analysts' file no session has changed since a run wrote it: no write-ahead
    log beside it, and the size and mtime the run recorded. Whether a session still holds
    it open shows only when a run tries to lock it."""
    versions = db_path.parent / WAREHOUSE_VERSIONS
    current = db_path.resolve() if db_path.is_symlink() else None
    for name in _read_stamps(db_path):
        path = versions / name
        if path != current and untouched(db_path, path):
            return path
    return None


def untouched(db_path: Path, path: Path) -> bool:
    """Whether a file a run published is as that run left it: no write-ahead log beside
    it, and the size and mtime the run recorded."""
    stamp = _read_stamps(db_path).get(path.name)
    return path.is_file() and not wal_path(path).exists() and _stamp(path)[path.name] == stamp


def add_spare(db_path: Path, spare: Path) -> None:
    _write_stamps(db_path, {**_read_stamps(db_path), **_stamp(spare)})


def _stamp(path: Path) -> dict[str, list[int]]:
    info = path.stat()
    return {path.name: [info.st_size, info.st_mtime_ns]}


def _read_stamps(db_path: Path) -> dict[str, list[int]]:
    path = db_path.parent / COPIES_FILE
    try:
        stamps = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return stamps if isinstance(stamps, dict) else {}


def _write_stamps(db_path: Path, stamps: dict[str, list[int]]) -> None:
    path = db_path.parent / COPIES_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.tmp")
    partial.write_text(json.dumps(stamps), encoding="utf-8")
    partial.replace(path)


def published_version(db_path: Path) -> str | None:
    """The run id of the published copy, from its link (``<run id>[~<rebuild>]``)."""
    if not db_path.is_symlink():
        return None
    return Path(db_path.readlink()).name.removesuffix(db_path.suffix).split("~")[0]


def swap_link(path: Path, target: Path) -> None:
    """Point the symlink ``path`` at ``target`` (relative to its folder) by one atomic
    rename: a reader opening ``path`` gets the old target or the new one, never neither.

    DuckDB resolves the link and keeps a file's write-ahead log beside the file itself, so
    a read-write session left open on an old copy never writes a log the new one replays.
    """
    link = path.with_name(f".{path.name}.next")
    link.unlink(missing_ok=True)
    link.symlink_to(target)
    link.replace(path)


def remove_unpublished_files(db_path: Path) -> None:
    """Delete the files (and WALs) that are neither the published one nor an unchanged
    spare: older ones, whose open sessions keep reading them, ones a session wrote to, and
    those of killed runs. Nothing while there is no link."""
    versions = db_path.parent / WAREHOUSE_VERSIONS
    if not db_path.is_symlink() or not versions.is_dir():
        return
    current = db_path.resolve()
    kept = (current, wal_path(current), spare_copy(db_path))
    for entry in versions.iterdir():
        if entry.resolve() not in kept:
            entry.unlink(missing_ok=True)
    db_path.with_name(db_path.name + ".wal").unlink(missing_ok=True)


def wal_path(db_path: Path) -> Path:
    """Where DuckDB keeps a file's write-ahead log: beside the file a link points to."""
    resolved = db_path.resolve()
    return resolved.with_name(resolved.name + ".wal")


def rejected_files(con: duckdb.DuckDBPyConnection, limit: int) -> list[dict[str, Any]]:
    """The first rejected files by path, for the run summary."""
    cursor = con.execute(
        "select source_path, error_kind, error_message, status "
        "from etl.rejected_files inner join etl.source_files using (source_path) "
        "order by source_path limit $limit",
        {"limit": limit},
    )
    columns = [column[0] for column in cursor.description or []]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
