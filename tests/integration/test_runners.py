"""Every parse runner builds the same warehouse as the default one, row for row."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from flows.etl import quicktakes_etl
from flows.settings import ConfigError, resolve_settings, sample_corpus_path
from tests.conftest import FIXTURES, warehouse_rows

pytestmark = pytest.mark.usefixtures("prefect_server")


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Good, broken and cross-listed fixture files beside the sample corpus."""
    root = tmp_path_factory.mktemp("runners") / "source"
    shutil.copytree(FIXTURES / "corpus", root / "fixtures")
    shutil.copytree(sample_corpus_path(), root / "sample")
    return root


@pytest.fixture(scope="module")
def reference(source: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    warehouse = tmp_path_factory.mktemp("reference")
    return Path(quicktakes_etl(source=str(source), warehouse=str(warehouse)).database_path)


@pytest.mark.parametrize("runner", ["prefect-process", "dask"])
def test_runner_builds_the_default_runners_warehouse(
    runner: str, source: Path, reference: Path, tmp_path: Path
) -> None:
    summary = quicktakes_etl(
        source=str(source), warehouse=str(tmp_path), batch_size=3, workers=2, runner=runner
    )
    assert summary.files_seen == len(list(source.rglob("*.md")))
    assert warehouse_rows(Path(summary.database_path)) == warehouse_rows(reference)


@pytest.mark.parametrize(
    ("runner", "address", "message"),
    [
        ("threads", None, "unknown runner 'threads'"),
        ("pool", "tcp://127.0.0.1:8786", "needs the dask runner"),
    ],
    ids=["unknown-runner", "address-without-dask"],
)
def test_bad_runner_settings_are_one_line_errors(
    runner: str, address: str | None, message: str, tmp_path: Path
) -> None:
    with pytest.raises(ConfigError, match=message):
        resolve_settings(None, str(tmp_path), runner=runner, dask_address=address)
