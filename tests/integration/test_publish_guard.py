"""Nothing half-done: failed checks, a full disk or a read-only folder publish nothing."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from flows.cli import main
from flows.warehouse import ChecksFailed
from tests.conftest import FIXTURES, render_article, warehouse_rows

CORPUS = FIXTURES / "corpus"


def published_rows(warehouse: Path) -> dict[str, Any]:
    """What analysts and rebuilds read but the run records: the published file's data
    tables and the lake's rows (a failed run adds only its own record, a partition of run
    tables, and publishes that record)."""
    lake_rows = {
        str(p.relative_to(warehouse)): p.read_bytes()
        for p in sorted((warehouse / "lake" / "runs").rglob("*.parquet"))
        if p.parent.name not in ("etl.runs", "etl.check_results")
    }
    return {**lake_rows, **warehouse_rows(warehouse / "quicktakes.duckdb")}


@pytest.mark.usefixtures("prefect_server")
def test_failed_error_check_withholds_the_publish(tmp_path: Path) -> None:
    """A state whose points of one article went missing: the next run that touches that
    article (a new listing of it) fails child_counts_match, rolls back and publishes
    nothing, and etl.runs records the failure with the check's sample rows."""
    from flows.etl import quicktakes_etl

    source, warehouse = tmp_path / "source", tmp_path / "wh"
    shutil.copytree(CORPUS, source)
    quicktakes_etl(source=str(source), warehouse=str(warehouse))
    with duckdb.connect(str(warehouse / ".state" / "state.duckdb")) as con:
        con.execute(
            "delete from etl.page_content_points where source_path = $path",
            {"path": "learn/biology/what-is-osmosis.md"},
        )
    before = published_rows(warehouse)
    (source / "learn" / "psychology" / "what-is-osmosis.md").write_text(
        render_article(article_id=501).replace("What is it?", "Osmosis, cross-listed?")
    )

    with pytest.raises(ChecksFailed) as failed:
        quicktakes_etl(source=str(source), warehouse=str(warehouse))

    assert [(c.name, c.failing_row_count) for c in failed.value.failed] == [
        ("child_counts_match", 1)
    ]
    assert "child_counts_match" in str(failed.value)
    assert published_rows(warehouse) == before
    with duckdb.connect(str(warehouse / "quicktakes.duckdb"), read_only=True) as con:
        run = con.execute(
            "select run_id, status, error_message from etl.runs where status = 'failed'"
        ).fetchall()
        assert [(status, error.split(":")[0]) for _, status, error in run] == [
            ("failed", "ChecksFailed")
        ]
        failing = con.execute(
            "select check_name, failing_row_count, sample_rows from etl.check_results "
            "where run_id = $run and failing_row_count > 0 and severity = 'error'",
            {"run": run[0][0]},
        ).fetchall()
        assert con.execute(
            "select count(*) from etl.file_events where run_id = $run", {"run": run[0][0]}
        ).fetchall() == [(0,)]
    assert [
        (name, count, json.loads(sample)[0]["article_id"]) for name, count, sample in failing
    ] == [("child_counts_match", 1, 501)]
    (partition,) = [p for p in (warehouse / "lake" / "runs").iterdir() if run[0][0] in p.name]
    assert sorted(p.name for p in partition.iterdir()) == ["etl.check_results", "etl.runs"]
    assert_failure_artifact(run[0][0], "ChecksFailed: data checks failed, nothing published")


def assert_failure_artifact(flow_run_id: str, error: str) -> None:
    """A failed run's Artifacts tab says it failed, that nothing was published, and why."""
    from uuid import UUID

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    with get_client(sync_client=True) as client:
        state = client.read_flow_run(UUID(flow_run_id)).state
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(
                flow_run_id=ArtifactFilterFlowRunId(any_=[UUID(flow_run_id)])
            )
        )
    assert state is not None and state.type.value == "FAILED"
    keyed = [a for a in artifacts if a.key is not None]  # Prefect keeps the exception unkeyed
    assert [(a.key, a.type) for a in keyed] == [("quicktakes-etl-summary", "markdown")]
    (artifact,) = keyed
    assert "failed: nothing was published" in str(artifact.data)
    assert error in str(artifact.data)


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
    before = published_rows(warehouse)
    filler = tmpfs / "filler"
    with filler.open("wb") as out, pytest.raises(OSError):
        while True:
            out.write(b"\0" * 65536)
            out.flush()
    with pytest.raises(Exception, match=r"No space left on device"):
        quicktakes_etl(source=str(CORPUS), warehouse=str(warehouse), full_refresh=True)
    assert published_rows(warehouse) == before


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
