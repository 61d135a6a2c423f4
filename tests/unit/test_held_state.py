"""A state held open for a backfill's runs: every connection is a cursor of one DuckDB
instance, no other process can open the file, and a copy has what was committed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb

from flows.warehouse import connect_state, copy_state, hold_state_open, state_is_held


def test_a_copy_of_a_held_state_has_its_committed_rows(tmp_path: Path) -> None:
    state = tmp_path / "state.duckdb"
    with connect_state(state) as con:
        con.execute("create table t (n integer)")
    with hold_state_open(state):
        assert state_is_held(state) and state_is_held()
        with connect_state(state) as con:
            con.execute("insert into t values (1), (2)")
        with connect_state(state, read_only=True) as con:
            assert con.execute("select sum(n) from t").fetchone() == (3,)
        copy_state(state, tmp_path / "copy.duckdb")
    assert not state_is_held()
    with duckdb.connect(str(tmp_path / "copy.duckdb"), read_only=True) as copy:
        assert copy.execute("select sum(n) from t").fetchone() == (3,)


def test_no_other_process_opens_a_held_state(tmp_path: Path) -> None:
    state = tmp_path / "state.duckdb"
    opening = f"import duckdb; duckdb.connect({str(state)!r}, read_only=True)"
    with hold_state_open(state):
        opened = subprocess.run(
            [sys.executable, "-c", opening],
            capture_output=True,
            text=True,
            check=False,
        )
    assert opened.returncode != 0
    assert "lock" in opened.stderr.lower()
