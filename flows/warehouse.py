"""The DuckDB warehouse: schema, the load from the lake, data checks, the run record."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from flows.sqlfiles import check_severity, read_sql, read_sql_files
from transforms import schemas

DATABASE_FILE = "quicktakes.duckdb"
LAKE_DIR = "lake"
CHECK_SAMPLE_ROWS = 5


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
    flow_run_name: str | None
    started_at: dt.datetime
    finished_at: dt.datetime
    status: str
    source_root: str
    error_message: str | None = None


class ChecksFailed(Exception):
    """Error-severity data checks found rows: the load is rolled back."""

    def __init__(self, failed: Sequence[CheckResult]) -> None:
        names = ", ".join(f"{check.name} ({check.failing_row_count} rows)" for check in failed)
        super().__init__(f"data checks failed, load rolled back: {names}")
        self.failed = list(failed)


def lake_path(lake_dir: Path, table: str) -> Path:
    """``articles`` → ``lake/articles``; ``etl.runs`` → ``lake/etl/runs``."""
    return lake_dir.joinpath(*table.split("."))


def apply_ddl(con: duckdb.DuckDBPyConnection) -> None:
    """Create schemas, tables and report views that are missing; safe to repeat."""
    con.execute(read_sql("ddl", "schemas"))
    for sql_file in read_sql_files("ddl"):
        if sql_file.name != "schemas":
            con.execute(sql_file.text)
    for sql_file in read_sql_files("reports"):
        con.execute(sql_file.text)


def register_discovered_files(con: duckdb.DuckDBPyConnection, source_paths: Sequence[str]) -> None:
    """The run's file list as the temp table the file accounting check compares against."""
    discovered = pa.table({"source_path": pa.array(source_paths, pa.string())})
    con.register("discovered_arrow", discovered)
    con.execute(
        "create or replace temp table discovered_files as select source_path from discovered_arrow"
    )
    con.unregister("discovered_arrow")


def load_lake(con: duckdb.DuckDBPyConnection, lake_dir: Path) -> None:
    """Replace every table's rows with its lake dataset (inside the caller's transaction)."""
    for table in schemas.TABLES:
        pattern = str(lake_path(lake_dir, table) / "*.parquet")
        con.execute(read_sql("load", table), {"path": pattern})


def run_checks(con: duckdb.DuckDBPyConnection) -> list[CheckResult]:
    """Run every ``sql/checks`` query; a check's rows are its failures."""
    results = []
    for sql_file in read_sql_files("checks"):
        cursor = con.execute(sql_file.text)
        columns = [column[0] for column in cursor.description or []]
        rows = cursor.fetchall()
        results.append(
            CheckResult(
                name=sql_file.name,
                severity=check_severity(sql_file.text),
                failing_row_count=len(rows),
                sample_rows=[
                    dict(zip(columns, row, strict=True)) for row in rows[:CHECK_SAMPLE_ROWS]
                ],
            )
        )
    return results


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Row count of every warehouse table."""
    counts = {}
    for table in schemas.TABLES:
        row = con.sql(f"select count(*) from {table}").fetchone()  # names from a fixed constant
        counts[table] = int(row[0]) if row else 0
    return counts


def record_run(con: duckdb.DuckDBPyConnection, run: RunRecord, counts: dict[str, int]) -> None:
    loaded = con.sql("select count(*) from etl.source_files where status = 'loaded'").fetchone()
    con.execute(
        read_sql("load", "etl.runs"),
        {
            "run_id": run.run_id,
            "flow_run_name": run.flow_run_name,
            "started_at": run.started_at,
            "finished_at": run.finished_at,
            "status": run.status,
            "source_root": run.source_root,
            "files_seen_count": counts.get("etl.source_files"),
            "files_loaded_count": int(loaded[0]) if loaded else None,
            "files_rejected_count": counts.get("etl.rejected_files"),
            "article_count": counts.get("articles"),
            "point_count": counts.get("answer_points"),
            "keyword_count": counts.get("article_keywords"),
            "related_count": counts.get("related_articles"),
            "error_message": run.error_message,
        },
    )


def build_warehouse(
    new_db: Path, previous_db: Path, lake_dir: Path, source_paths: Sequence[str], run: RunRecord
) -> tuple[list[CheckResult], dict[str, int]]:
    """Build a complete warehouse file from the lake, carrying the run history over.

    Everything happens in one transaction that commits only when no error check
    fails; the published file is not touched, so analysts keep reading it meanwhile.
    """
    history = read_run_history(previous_db)
    with duckdb.connect(str(new_db)) as con:
        con.execute("begin transaction")
        try:
            apply_ddl(con)
            con.register("previous_runs", history)
            con.execute("insert into etl.runs by name select * from previous_runs")
            con.unregister("previous_runs")
            load_lake(con, lake_dir)
            register_discovered_files(con, source_paths)
            checks = run_checks(con)
            failed = [c for c in checks if c.severity == "error" and not c.passed]
            if failed:
                raise ChecksFailed(failed)
            counts = table_counts(con)
            record_run(con, run, counts)
        except BaseException:
            con.execute("rollback")
            raise
        con.execute("commit")
        con.execute("checkpoint")
    return checks, counts


def read_run_history(db_path: Path) -> pa.Table:
    """etl.runs of the published warehouse; empty when there is none yet."""
    if not db_path.exists():
        return pa.table({"run_id": pa.array([], pa.string())})
    with duckdb.connect(str(db_path), read_only=True) as con:
        return con.execute("select * from etl.runs").to_arrow_table()


def publish_warehouse(new_db: Path, db_path: Path) -> None:
    """Swap the new file in with one atomic rename; open readers keep the file they opened."""
    new_db.replace(db_path)
    db_path.with_name(db_path.name + ".wal").unlink(missing_ok=True)


def record_failed_run(db_path: Path, run: RunRecord) -> None:
    """Append a failed run to the published etl.runs; its tables keep the last good state."""
    with duckdb.connect(str(db_path)) as con:
        con.execute("begin transaction")
        apply_ddl(con)
        record_run(con, run, {})
        con.execute("commit")


def rejected_files(db_path: Path, limit: int) -> list[dict[str, Any]]:
    """The first rejected files by path, for the run summary."""
    with duckdb.connect(str(db_path), read_only=True) as con:
        cursor = con.execute(
            "select source_path, error_kind, error_message from etl.rejected_files "
            "order by source_path limit $limit",
            {"limit": limit},
        )
        columns = [column[0] for column in cursor.description or []]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
