"""rebuild and compact: the lake alone gives back the warehouse, before and after compaction."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from flows.cli import main
from tests.conftest import FIXTURES, assert_rebuilds_the_same, render_article, warehouse_rows

pytestmark = pytest.mark.usefixtures("prefect_server")


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    """A warehouse of four runs: a full load, an added file, an edit, and a no-op."""
    from flows.etl import quicktakes_etl

    source, warehouse = tmp_path / "source", tmp_path / "wh"
    shutil.copytree(FIXTURES / "corpus", source)
    quicktakes_etl(source=str(source), warehouse=str(warehouse))
    (source / "learn" / "biology" / "new.md").write_text(render_article(article_id=600))
    quicktakes_etl(source=str(source), warehouse=str(warehouse))
    (source / "learn" / "biology" / "new.md").write_text(render_article(article_id=600, related=2))
    quicktakes_etl(source=str(source), warehouse=str(warehouse))
    quicktakes_etl(source=str(source), warehouse=str(warehouse))
    return warehouse


def test_compact_merges_small_partitions_and_rebuild_gives_the_same_warehouse(
    warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = warehouse / "quicktakes.duckdb"
    before = warehouse_rows(database)
    assert len(list((warehouse / "lake" / "runs").iterdir())) == 4

    assert main(["compact", "--warehouse", str(warehouse)]) == 0
    assert "Lake partitions: 4 -> 1" in capsys.readouterr().out
    (compacted,) = (warehouse / "lake" / "runs").iterdir()
    assert compacted.name == "000001-000004.compacted"
    assert_rebuilds_the_same(warehouse, tmp_path / "scratch")

    assert main(["rebuild", "--warehouse", str(warehouse)]) == 0
    assert "Rebuilt 4 runs from the lake" in capsys.readouterr().out
    assert warehouse_rows(database) == before
    assert [p.name for p in (warehouse / ".warehouses").iterdir()] == [database.resolve().name]


def test_rebuild_without_a_lake_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["rebuild", "--warehouse", str(tmp_path)]) == 1
    lake = tmp_path / "lake"
    assert capsys.readouterr().err == (
        f"quicktakes-etl: error: rebuild failed: no lake partitions under {lake}: "
        "nothing to rebuild\n"
    )
