"""Fixtures of the SQL and merge tests: a fresh state file and runs merged into it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from tests.integration.state_runs import StateRuns, new_state, state_template


@pytest.fixture
def con(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[duckdb.DuckDBPyConnection]:
    with new_state(state_template(tmp_path_factory), tmp_path) as connection:
        yield connection


@pytest.fixture
def runs(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> StateRuns:
    return StateRuns(con, tmp_path / "lake")
