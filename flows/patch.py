"""Patch a copy of the published warehouse file instead of loading the whole lake.

An incremental run changes the rows of a few articles and files. With 1% of the real
corpus's files edited, building the new file this way took 0.9 s (process start, copy,
patch, checks, checkpoint), loading the whole lake into a new one 2.9 s; and it needs
only the new lake's changed part (``flows.lake.CHANGES_FILE``), so it runs while the rows
of unchanged files are still being copied into the lake. The copy is trusted only when a
stamp, written when the file was published, says which run built it and that it has not
been written since; anything unusual (an analyst's session writing to the file, a changed
canonical subject name, a file from an older version, a patched file that fails a check
or, as the caller checks, does not hold the lake's row counts) falls back to the full
build, which is always correct.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Collection
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from flows.lake import CHANGES_FILE
from flows.sqlfiles import read_sql
from flows.warehouse import (
    BUILD_MEMORY_LIMIT,
    CheckResult,
    ChecksFailed,
    RunRecord,
    build_warehouse,
    duckdb_path,
    in_transaction,
    lake_path,
    load_history,
    read_schema_version,
    schema_version,
    wal_path,
)
from transforms import schemas

MAX_GROWTH = 1.5
GROWTH_SLACK = 64 * 2**20
"""A patched file is rebuilt once it is MAX_GROWTH times its size after the last full
build plus the slack: deleted rows and freed blocks are only reclaimed by a full build.
DuckDB grows a file by whole blocks, so without the slack a small warehouse (1 MB) grew
past the ratio at its first patch."""


@dataclass(frozen=True, slots=True)
class BuildStamp:
    """The run that built the published file, the file as that run left it, and its size
    after the last full build."""

    run_id: str
    size: int
    mtime_ns: int
    inode: int
    full_build_size: int


@dataclass(frozen=True, slots=True)
class WarehousePatch:
    """What an incremental run changed: the published file and lake, the file's stamp, and
    the articles and files whose rows may differ from it."""

    published: Path
    published_lake: Path
    stamp: BuildStamp
    article_ids: pa.Array
    source_paths: pa.Array


def stamp_path(db_path: Path) -> Path:
    return db_path.with_name(f".{db_path.name}.built.json")


def read_stamp(db_path: Path) -> BuildStamp | None:
    """The published file's stamp; None when missing or not one this version wrote."""
    try:
        stamp = BuildStamp(**json.loads(stamp_path(db_path).read_text()))
    except (OSError, ValueError, TypeError):
        return None
    numbers = (stamp.size, stamp.mtime_ns, stamp.inode, stamp.full_build_size)
    if not isinstance(stamp.run_id, str) or not all(type(n) is int for n in numbers):
        return None
    return stamp


def write_stamp(
    db_path: Path, run_id: str, built: os.stat_result, full_build_size: int | None
) -> None:
    """Record the just-published file as ``built``: its stat taken before the publishing
    rename (which keeps it), so a write between the rename and the stamp is not vouched
    for. ``full_build_size`` None: this file is a full build."""
    stamp = BuildStamp(
        run_id, built.st_size, built.st_mtime_ns, built.st_ino, full_build_size or built.st_size
    )
    temporary = stamp_path(db_path).with_suffix(".tmp")
    temporary.write_text(json.dumps(asdict(stamp)))
    temporary.replace(stamp_path(db_path))


def untrusted(db_path: Path, lake_dir: Path) -> str | None:
    """Why the published file may not be what the published lake's run built; None when
    its stamp vouches for it (a run may then patch it, or leave it as it is)."""
    vouched = _vouching_stamp(db_path, lake_dir)
    return vouched if isinstance(vouched, str) else None


def _vouching_stamp(db_path: Path, lake_dir: Path) -> BuildStamp | str:
    """The published file's stamp when it vouches for the file, else why it does not."""
    stamp = read_stamp(db_path)
    if stamp is None:
        return "no stamp says which run built the published file"
    if not lake_dir.is_symlink() or Path(os.readlink(lake_dir)).name != stamp.run_id:
        return "the published file and the published lake come from different runs"
    if wal_path(db_path).exists():
        return "the published file has a write-ahead log: a session wrote to it"
    try:
        stat = db_path.stat()
    except OSError:
        return "there is no published file"
    if (stat.st_size, stat.st_mtime_ns, stat.st_ino) != (stamp.size, stamp.mtime_ns, stamp.inode):
        return "the published file was written to after it was published"
    return stamp


def plan_patch(
    db_path: Path,
    lake_dir: Path,
    article_ids: Collection[int],
    source_paths: Collection[str],
) -> WarehousePatch | str:
    """How to patch the published file with these changes, or why it is built whole."""
    stamp = _vouching_stamp(db_path, lake_dir)
    if isinstance(stamp, str):
        return stamp
    if stamp.size > MAX_GROWTH * stamp.full_build_size + GROWTH_SLACK:
        return (
            f"compacting: patches grew the file to {stamp.size / stamp.full_build_size:.1f} "
            "times its size after the last full build"
        )
    return WarehousePatch(
        db_path,
        lake_dir,
        stamp,
        pa.array(sorted(set(article_ids)), pa.int64()),
        pa.array(sorted(set(source_paths)), pa.string()),
    )


def patch_warehouse(
    new_db: Path,
    history: dict[str, pa.Table],
    lake_dir: Path,
    source_paths: pa.ChunkedArray | Path,
    run: RunRecord,
    patch: WarehousePatch,
) -> tuple[list[CheckResult], dict[str, int]] | str:
    """The new warehouse file as a patched, checked copy of the published one: its checks
    and row counts; or why it could not be (``new_db`` then removed)."""
    reason = patch_copy(new_db, history, lake_dir, run, patch)
    if reason is None:
        try:
            return build_warehouse(new_db, history, lake_dir, source_paths, run, load=False)
        except ChecksFailed as failed:
            reason = f"the patched file failed checks ({failed})"
        except Exception as error:
            reason = f"could not check the patched file: {_first_line(error)}"
    discard(new_db)
    return reason


def patch_copy(
    new_db: Path,
    history: dict[str, pa.Table],
    lake_dir: Path,
    run: RunRecord,
    patch: WarehousePatch,
) -> str | None:
    """Copy the published file to ``new_db`` and replace the changed rows with the lake's,
    committed. None when done; otherwise why not (``new_db`` is then to be discarded).

    The copy is taken under a read-only DuckDB connection to the published file: its
    shared lock fails while an analyst's read-write session is open, and keeps one from
    opening until the copy is done. Under it the stamp is checked again: the run checked
    it a second or more before.
    """
    try:
        with duckdb.connect(str(patch.published), read_only=True):
            reason = untrusted(patch.published, patch.published_lake)
            if reason is not None:
                return reason
            shutil.copyfile(patch.published, new_db)
        with duckdb.connect(str(new_db), config={"memory_limit": BUILD_MEMORY_LIMIT}) as con:
            con.execute("set enable_progress_bar = false")
            reason = _unfit(con, lake_dir)
            if reason is None:
                in_transaction(con, lambda: _patch(con, history, lake_dir, run, patch))
    except Exception as error:
        return f"could not patch a copy of the published file: {_first_line(error)}"
    return reason


def _patch(
    con: duckdb.DuckDBPyConnection,
    history: dict[str, pa.Table],
    lake_dir: Path,
    run: RunRecord,
    patch: WarehousePatch,
) -> None:
    load_history(con, history, run)
    _replace_changed_rows(con, lake_dir, patch)


def _unfit(con: duckdb.DuckDBPyConnection, lake_dir: Path) -> str | None:
    """Why this copy cannot be patched into the new lake's warehouse, if it cannot."""
    found = read_schema_version(con)
    if found != schema_version():
        return f"the published file has schema version {found}, not {schema_version()}"
    keyed = con.execute(
        "select count(*) from duckdb_constraints() "
        "where constraint_type = 'PRIMARY KEY' and schema_name = 'main' and table_name = 'articles'"
    ).fetchone()
    if keyed and keyed[0]:
        return "the published file declares primary keys on its bulk tables (older version)"
    renamed = con.execute(
        read_sql("patch", "renamed_subjects"), {"path": _lake_files(lake_dir, "subjects")}
    ).fetchone()
    if renamed and renamed[0]:
        return f"{renamed[0]} subjects have a new canonical name, on rows the run did not parse"
    return None


def _replace_changed_rows(
    con: duckdb.DuckDBPyConnection, lake_dir: Path, patch: WarehousePatch
) -> None:
    """Delete the changed articles' and files' rows and load the lake's changed part with
    the whole build's own load statements; subjects whole."""
    con.register("article_arrow", pa.table({"article_id": patch.article_ids}))
    con.register("file_arrow", pa.table({"source_path": patch.source_paths}))
    con.execute("create temp table changed_articles as select article_id from article_arrow")
    con.execute("create temp table changed_files as select source_path from file_arrow")
    for table in schemas.TABLES:
        # Table and key names come from the fixed schema constants.
        con.execute(f"delete from {table} {_changed_keys(table)}")
        con.execute(read_sql("load", table), {"path": _lake_files(lake_dir, table)})


def _changed_keys(table: str) -> str:
    """The rows of ``table`` the run replaces. The lake's changed part holds the new rows of
    these keys only; a row of another key the file holds would be a duplicate, which the
    key checks refuse (the run then builds the file whole)."""
    if table == "subjects":
        return ""
    if table in schemas.ARTICLE_TABLES:
        return "where article_id in (select article_id from changed_articles)"
    return "where source_path in (select source_path from changed_files)"


def _lake_files(lake_dir: Path, table: str) -> str:
    return duckdb_path(lake_path(lake_dir, table) / CHANGES_FILE)


def discard(db_path: Path) -> None:
    db_path.unlink(missing_ok=True)
    wal_path(db_path).unlink(missing_ok=True)


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
