"""The warehouse records its schema version; older ones migrate, newer ones are refused."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from flows.cli import main
from flows.warehouse import (
    apply_ddl,
    check_warehouse,
    lake_path,
    migrate_warehouse,
    read_schema_version,
    schema_version,
)
from tests.conftest import FIXTURES, count_articles, open_session

V1_DDL = FIXTURES / "schema_v1"
NOW = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)


def create_v1_warehouse(path: Path) -> None:
    """A warehouse as version 1 of the project left it, with one run in its history."""
    with duckdb.connect(str(path)) as con:
        con.execute((V1_DDL / "schemas.sql").read_text())
        for ddl in sorted(V1_DDL.glob("*.sql")):
            con.execute(ddl.read_text())
        con.execute(
            "insert into etl.runs (run_id, started_at, finished_at, status, source_root) "
            "values ('v1-run', $at, $at, 'succeeded', '/data')",
            {"at": NOW},
        )
        con.execute("insert into etl.source_files values ('a.md', 'abc', 3, 'loaded', 1)")


def columns(path: Path) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(
            "select schema_name, table_name, column_name, data_type from duckdb_columns() "
            "where not internal and database_name = current_database() order by all"
        ).fetchall()


def test_v1_warehouse_migrates_in_place(tmp_path: Path) -> None:
    old = tmp_path / "old.duckdb"
    create_v1_warehouse(old)
    fresh = tmp_path / "fresh.duckdb"
    with duckdb.connect(str(fresh)) as con:
        apply_ddl(con)

    assert migrate_warehouse(old, NOW) == 1
    assert columns(old) == columns(fresh)
    with duckdb.connect(str(old), read_only=True) as con:
        assert read_schema_version(con) == schema_version()
        assert con.execute("select run_id, status from etl.runs").fetchall() == [
            ("v1-run", "succeeded")
        ]
        assert con.execute(
            "select source_path, status, article_id, content_sha256 from etl.source_files"
        ).fetchall() == [("a.md", "loaded", 1, None)]
    assert migrate_warehouse(old, NOW) == schema_version()


def test_migrated_warehouse_keeps_its_history_through_a_run(
    prefect_server: None, tmp_path: Path
) -> None:
    from flows.etl import quicktakes_etl

    create_v1_warehouse(tmp_path / "quicktakes.duckdb")
    summary = quicktakes_etl(source=str(FIXTURES / "corpus"), warehouse=str(tmp_path))
    with duckdb.connect(summary.database_path, read_only=True) as con:
        assert con.execute("select run_id from etl.runs order by started_at").fetchall() == [
            ("v1-run",),
            (summary.run_id,),
        ]


def stamp(path: Path, version: int) -> None:
    with duckdb.connect(str(path)) as con:
        apply_ddl(con)
        con.execute("insert into etl.schema_version values ($v, $at)", {"v": version, "at": NOW})


@pytest.mark.parametrize(
    ("prepare", "message"),
    [
        pytest.param(
            lambda p: stamp(p, 99),
            "has schema version 99, newer than this quicktakes-etl supports",
            id="future-version",
        ),
        pytest.param(
            lambda p: p.write_bytes(b"not a database" * 1000),
            "cannot open warehouse",
            id="not-duckdb",
        ),
    ],
)
def test_unusable_warehouse_is_refused_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], prepare: Any, message: str
) -> None:
    database = tmp_path / "quicktakes.duckdb"
    prepare(database)
    before = sorted(tmp_path.iterdir()), database.read_bytes()
    assert main(["run", "--source", str(FIXTURES / "corpus"), "--warehouse", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err
    assert (sorted(tmp_path.iterdir()), database.read_bytes()) == before


def test_a_migration_an_analysts_session_blocks_is_skipped(
    prefect_server: None, tmp_path: Path
) -> None:
    """Lake and file say the version before this one; an analyst's read-write session holds
    the file, so it cannot be migrated in place: the run warns and builds a new file."""
    from flows.etl import quicktakes_etl

    warehouse = tmp_path / "wh"
    first = quicktakes_etl(source=str(FIXTURES / "corpus"), warehouse=str(warehouse))
    database = Path(first.database_path)
    older = schema_version() - 1
    with duckdb.connect(str(database)) as con:
        con.execute("update etl.schema_version set version = $v", {"v": older})
    for part in lake_path(warehouse / "lake", "etl.schema_version").glob("*.parquet"):
        versions = pq.read_table(part)
        column = versions.schema.get_field_index("version")
        older_column = pa.array([older] * versions.num_rows, versions.schema.field(column).type)
        pq.write_table(versions.set_column(column, "version", older_column), part)
    assert check_warehouse(database, warehouse / "lake") == older

    session = open_session(database)
    assert count_articles(session) == str(first.counts["articles"])
    second = quicktakes_etl(source=str(FIXTURES / "corpus"), warehouse=str(warehouse))
    assert count_articles(session) == str(first.counts["articles"])
    assert session.stdin is not None
    session.stdin.close()
    assert session.wait(timeout=30) == 0
    assert check_warehouse(database, warehouse / "lake") == schema_version()
    with duckdb.connect(second.database_path, read_only=True) as con:
        assert read_schema_version(con) == schema_version()
