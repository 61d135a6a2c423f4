"""The warehouse records its schema version: an older warehouse is carried over, a newer one
or a file that is not a warehouse is refused with one line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb
import pytest

from flows.cli import main
from flows.merge import ensure_state
from flows.warehouse import SCHEMA_VERSION, apply_schema, read_schema_version
from tests.conftest import FIXTURES, assert_rebuilds_the_same, count_articles, open_session

V1_DDL = FIXTURES / "schema_v1"
NOW = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)


def create_v1_warehouse(path: Path) -> None:
    """A warehouse as version 1 of the project left it, with two runs in its history."""
    with duckdb.connect(str(path)) as con:
        con.execute((V1_DDL / "schemas.sql").read_text())
        for ddl in sorted(V1_DDL.glob("*.sql")):
            con.execute(ddl.read_text())
        for number, run_id in enumerate(("v1-first", "v1-second")):
            con.execute(
                "insert into etl.runs (run_id, started_at, finished_at, status, source_root) "
                "values ($run, $at, $at, 'succeeded', '/data')",
                {"run": run_id, "at": NOW + dt.timedelta(hours=number)},
            )
        con.execute("insert into etl.source_files values ('a.md', 'abc', 3, 'loaded', 1)")


@pytest.mark.usefixtures("prefect_server")
def test_an_old_warehouse_keeps_its_run_history_through_the_upgrade(tmp_path: Path) -> None:
    from flows.etl import quicktakes_etl

    create_v1_warehouse(tmp_path / "quicktakes.duckdb")
    summary = quicktakes_etl(source=str(FIXTURES / "corpus"), warehouse=str(tmp_path))
    with duckdb.connect(summary.database_path, read_only=True) as con:
        assert read_schema_version(con) == SCHEMA_VERSION
        assert con.execute(
            "select run_no, run_id, source_time, load_mode from etl.runs order by run_no"
        ).fetchall() == [
            (1, "v1-first", NOW, None),
            (2, "v1-second", NOW + dt.timedelta(hours=1), None),
            (3, summary.run_id, summary_time(con, summary.run_id), "full"),
        ]
        assert con.execute("select min(valid_from) from article_versions").fetchall() == [
            (summary_time(con, summary.run_id),)
        ]
    assert_rebuilds_the_same(tmp_path, tmp_path / "scratch")


def summary_time(con: duckdb.DuckDBPyConnection, run_id: str) -> Any:
    return con.execute(
        "select source_time from etl.runs where run_id = $r", {"r": run_id}
    ).fetchone()[0]


@pytest.mark.usefixtures("prefect_server")
def test_an_upgrade_an_analysts_session_holds_goes_on_without_its_history(tmp_path: Path) -> None:
    """The old file is locked by a read-write session: its history cannot be read, the run
    starts the new warehouse anyway, and the analyst keeps reading the old file."""
    from flows.etl import quicktakes_etl

    old = tmp_path / "quicktakes.duckdb"
    create_v1_warehouse(old)
    session = open_session(old)
    assert count_articles(session) == "0"
    summary = quicktakes_etl(source=str(FIXTURES / "corpus"), warehouse=str(tmp_path))
    assert count_articles(session) == "0"
    assert session.stdin is not None
    session.stdin.close()
    assert session.wait(timeout=30) == 0
    with duckdb.connect(summary.database_path, read_only=True) as con:
        assert con.execute("select run_id from etl.runs").fetchall() == [(summary.run_id,)]
        assert con.execute("select count(*) from articles").fetchall() == [(3,)]


def stamp(path: Path, version: int) -> None:
    with duckdb.connect(str(path)) as con:
        apply_schema(con, NOW)
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


def test_a_state_gets_the_views_again_only_when_other_sql_was_applied_last(
    tmp_path: Path,
) -> None:
    """Applying the schema is skipped while this code's was the last applied; a state
    another version of the SQL was applied to since gets this code's views back."""
    state = tmp_path / "state.duckdb"
    ensure_state(state, NOW, "parser")
    with duckdb.connect(str(state)) as con:
        con.execute("drop view related_articles")
    ensure_state(state, NOW, "parser")
    assert not has_view(state, "related_articles")

    with duckdb.connect(str(state)) as con:
        con.execute(
            "insert into etl.schema_objects values ('other sql', $at)",
            {"at": NOW + dt.timedelta(days=1)},
        )
    ensure_state(state, NOW + dt.timedelta(days=2), "parser")
    assert has_view(state, "related_articles")


def has_view(state: Path, name: str) -> bool:
    with duckdb.connect(str(state), read_only=True) as con:
        row = con.execute("select count(*) from duckdb_views() where view_name = $n", {"n": name})
        return row.fetchone() == (1,)
