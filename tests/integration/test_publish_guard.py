"""Nothing half-done: failed checks, a full disk or a read-only folder publish nothing."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from flows.cli import main
from flows.lake import write_lake_table
from flows.lock import LOCK_FILE
from flows.warehouse import (
    ChecksFailed,
    RunRecord,
    build_warehouse,
    failed_run_rows,
    lake_path,
    read_history,
)
from tests.conftest import FIXTURES
from transforms import schemas

CORPUS = FIXTURES / "corpus"


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every published byte; the run lock file only names its last holder."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != LOCK_FILE
    }


@pytest.fixture(scope="module")
def published(prefect_server: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from flows.etl import quicktakes_etl

    warehouse = tmp_path_factory.mktemp("published")
    quicktakes_etl(source=str(CORPUS), warehouse=str(warehouse))
    return warehouse


def test_failed_error_check_withholds_the_publish(published: Path, tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    shutil.copytree(published / "lake", lake)
    points_file = lake_path(lake, "answer_points") / "part-00000.parquet"
    orphan = pa.Table.from_pylist(
        [
            {
                "article_id": 424242,
                "point_index": 1,
                "list_number": 1,
                "section": None,
                "heading": None,
                "body": "a point of no article",
            }
        ],
        schema=schemas.ANSWER_POINTS,
    )
    pq.write_table(pa.concat_tables([pq.read_table(points_file), orphan]), points_file)
    with duckdb.connect(str(published / "quicktakes.duckdb"), read_only=True) as con:
        paths = [
            row[0] for row in con.execute("select source_path from etl.source_files").fetchall()
        ]
    before = snapshot(published)
    now = dt.datetime.now(dt.UTC)
    run = RunRecord("corrupt-run", None, now, now, "succeeded", str(CORPUS))

    with pytest.raises(ChecksFailed) as failed:
        history = read_history(published / "lake", published / "quicktakes.duckdb")
        build_warehouse(tmp_path / "new.duckdb", history, lake, paths, run)

    assert [(c.name, c.failing_row_count) for c in failed.value.failed] == [
        ("child_rows_have_article", 1)
    ]
    assert "child_rows_have_article" in str(failed.value)
    assert snapshot(published) == before
    failed_run = RunRecord("corrupt-run", None, now, now, "failed", str(CORPUS), str(failed.value))
    for table, rows in failed_run_rows(failed_run, failed.value.checks).items():
        write_lake_table(published / "lake", table, rows, "failed-corrupt-run.parquet")
    history = read_history(published / "lake", published / "quicktakes.duckdb")
    assert [
        r["status"] for r in history["etl.runs"].to_pylist() if r["run_id"] == "corrupt-run"
    ] == ["failed"]
    failing = [
        (r["check_name"], r["failing_row_count"], json.loads(r["sample_rows"])[0]["article_id"])
        for r in history["etl.check_results"].to_pylist()
        if r["run_id"] == "corrupt-run" and r["failing_row_count"]
    ]
    assert failing == [("child_rows_have_article", 1, 424242)]


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A small tmpfs of our own, to make a full disk or a read-only folder for real."""
    mount_point = tmp_path / "tmpfs"
    mount_point.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=32m", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {done.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def test_full_disk_fails_the_run_and_keeps_the_published_state(
    prefect_server: None, tmpfs: Path
) -> None:
    from flows.etl import quicktakes_etl

    warehouse = tmpfs / "wh"
    quicktakes_etl(source=str(CORPUS), warehouse=str(warehouse))
    before = snapshot(warehouse)
    filler = tmpfs / "filler"
    with filler.open("wb") as out, pytest.raises(OSError):
        while True:
            out.write(b"\0" * 65536)
            out.flush()
    with pytest.raises(Exception, match=r"No space left on device"):
        quicktakes_etl(source=str(CORPUS), warehouse=str(warehouse))
    assert snapshot(warehouse) == before


def test_read_only_warehouse_folder_is_refused_with_one_line(
    tmpfs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], check=True)
    assert main(["run", "--source", str(CORPUS), "--warehouse", str(tmpfs / "wh")]) == 2
    err = capsys.readouterr().err
    target = tmpfs / "wh"
    expected = f"warehouse folder is not writable: {target} (Read-only file system)"
    assert err == f"quicktakes-etl: error: {expected}\n"
    assert list(tmpfs.iterdir()) == []
