"""Source and staging behind fsspec URLs build the same warehouse as local paths."""

from __future__ import annotations

import os
import shutil
from collections import Counter
from pathlib import Path
from typing import Any, ClassVar

import duckdb
import fsspec
import pytest
from fsspec.implementations.memory import MemoryFileSystem

from flows.etl import STAGING_MARKER, quicktakes_etl
from flows.settings import ConfigError, resolve_settings
from flows.storage import SourceTree, SourceUnlistable, found_files
from tests.conftest import FIXTURES, warehouse_rows
from transforms.batch import Unreadable

pytestmark = pytest.mark.usefixtures("prefect_server")


@pytest.fixture
def shared(tmp_path: Path) -> Path:
    """A second local folder standing in for storage every worker mounts (NFS, S3)."""
    root = tmp_path / "shared"
    shutil.copytree(FIXTURES / "corpus", root / "corpus")
    return root


def test_url_source_and_staging_equal_local_paths(shared: Path, tmp_path: Path) -> None:
    local = quicktakes_etl(source=str(shared / "corpus"), warehouse=str(tmp_path / "local"))
    remote = quicktakes_etl(
        source=(shared / "corpus").as_uri(),
        warehouse=str(tmp_path / "remote"),
        staging=(shared / "staging").as_uri(),
        batch_size=2,
    )
    assert remote.files_seen == local.files_seen
    assert warehouse_rows(Path(remote.database_path)) == warehouse_rows(Path(local.database_path))
    assert list((shared / "staging").iterdir()) == []


def test_an_object_store_source_and_staging_build_the_same_warehouse(tmp_path: Path) -> None:
    """fsspec's memory:// as the object store: keys without real folders, no mtime (its
    listing has ``created``). Same rows as a local path; a rerun reads nothing; a same-size
    rewrite of one object is read again."""
    store = fsspec.filesystem("memory")
    bucket = f"/{tmp_path.name}"
    corpus = FIXTURES / "corpus"
    for path in sorted(p for p in corpus.rglob("*") if p.is_file()):
        store.pipe(f"{bucket}/src/{path.relative_to(corpus).as_posix()}", path.read_bytes())
    source, staging = f"memory:/{bucket}/src", f"memory:/{bucket}/staging"
    try:
        local = quicktakes_etl(source=str(corpus), warehouse=str(tmp_path / "local"))
        remote = quicktakes_etl(
            source=source, warehouse=str(tmp_path / "remote"), staging=staging, batch_size=2
        )
        assert (remote.files_seen, remote.files_read) == (local.files_seen, local.files_seen)
        assert warehouse_rows(Path(remote.database_path)) == warehouse_rows(
            Path(local.database_path)
        )
        assert store.find(f"{bucket}/staging") == []
        again = quicktakes_etl(source=source, warehouse=str(tmp_path / "remote"))
        assert (again.files_read, again.changed) == (0, False)
        key = f"{bucket}/src/learn/biology/what-is-osmosis.md"
        before = store.cat(key)
        store.pipe(key, before.replace(b"Osmosis", b"OSMOSIS", 1))
        assert len(store.cat(key)) == len(before) and store.cat(key) != before
        edited = quicktakes_etl(source=source, warehouse=str(tmp_path / "remote"))
        assert (edited.files_read, edited.files_changed) == (1, 1)
    finally:
        store.rm(bucket, recursive=True)


class FlakyMemory(MemoryFileSystem):
    """fsspec's memory store behind a connection that drops: the first two reads of
    ``flaky`` and the first listing fail as a dropped connection would. Every call is
    counted, by path."""

    protocol = "flakymemory"
    flaky = ""
    calls: ClassVar[Counter[str]] = Counter()

    @classmethod
    def _strip_protocol(cls, path: str) -> str:
        memory_path: str = super()._strip_protocol(path.replace(f"{cls.protocol}://", "memory://"))
        return memory_path

    def cat_file(self, path: str, *args: Any, **kwargs: Any) -> Any:
        self.calls[path] += 1
        if path.endswith(self.flaky) and self.calls[path] <= 2:
            raise ConnectionResetError(104, "Connection reset by peer")
        return super().cat_file(path, *args, **kwargs)

    def find(self, path: str, *args: Any, **kwargs: Any) -> Any:
        self.calls[f"find {path}"] += 1
        if self.calls[f"find {path}"] == 1:
            raise TimeoutError("listing timed out")
        return super().find(path, *args, **kwargs)


def test_remote_reads_are_retried_after_a_dropped_connection(tmp_path: Path) -> None:
    """A listing that times out once and a file whose first two reads drop load as if
    nothing happened; a file that is missing is not tried again."""
    fsspec.register_implementation(FlakyMemory.protocol, FlakyMemory, clobber=True)
    store, bucket = fsspec.filesystem("memory"), f"/{tmp_path.name}"
    corpus = FIXTURES / "corpus"
    for path in sorted(p for p in corpus.rglob("*") if p.is_file()):
        store.pipe(f"{bucket}/src/{path.relative_to(corpus).as_posix()}", path.read_bytes())
    FlakyMemory.flaky, FlakyMemory.calls = "learn/biology/what-is-osmosis.md", Counter()
    try:
        local = quicktakes_etl(source=str(corpus), warehouse=str(tmp_path / "local"))
        remote = quicktakes_etl(
            source=f"{FlakyMemory.protocol}:/{bucket}/src", warehouse=str(tmp_path / "remote")
        )
        assert warehouse_rows(Path(remote.database_path)) == warehouse_rows(
            Path(local.database_path)
        )
        assert FlakyMemory.calls[f"{bucket}/src/{FlakyMemory.flaky}"] == 3
        assert FlakyMemory.calls[f"find {bucket}/src"] == 2
        tree = SourceTree(f"{FlakyMemory.protocol}:/{bucket}/src")
        ((_, gone),) = tree.read(found_files(["learn/biology/gone.md"], [None], [None]))
        assert isinstance(gone, Unreadable)
        assert FlakyMemory.calls[f"{bucket}/src/learn/biology/gone.md"] == 1
    finally:
        store.rm(bucket, recursive=True)


def test_a_killed_runs_staged_batches_are_removed_by_the_next_run(
    shared: Path, tmp_path: Path
) -> None:
    killed = shared / "staging" / "killed-run"
    (killed / "pages").mkdir(parents=True)
    (killed / "pages" / "batch-000000.parquet").write_bytes(b"partial")
    work = tmp_path / "wh" / ".work" / "killed-run"
    work.mkdir(parents=True)
    (work / STAGING_MARKER).write_text(killed.as_uri())
    kept = shared / "staging" / "another-warehouse-run"
    kept.mkdir()
    for damaged, names in (("empty-marker", ""), ("root-marker", (shared / "staging").as_uri())):
        (tmp_path / "wh" / ".work" / damaged).mkdir()
        (tmp_path / "wh" / ".work" / damaged / STAGING_MARKER).write_text(names)
    quicktakes_etl(
        source=str(shared / "corpus"),
        warehouse=str(tmp_path / "wh"),
        staging=(shared / "staging").as_uri(),
    )
    assert not killed.exists()
    assert list((tmp_path / "wh" / ".work").iterdir()) == []
    assert list((shared / "staging").iterdir()) == [kept]


def test_url_source_lists_files_with_size_and_mtime(shared: Path) -> None:
    local = SourceTree(str(shared / "corpus")).discover()
    url = SourceTree((shared / "corpus").as_uri()).discover()
    assert url.num_rows == local.num_rows == 9
    assert url.select(["source_path", "size_bytes"]) == local.select(["source_path", "size_bytes"])
    assert url.column("source_path").to_pylist() == sorted(url.column("source_path").to_pylist())
    assert all(mtime > 0 for mtime in url.column("mtime_ns").to_pylist())


def test_a_file_name_that_is_not_utf8_loads_under_an_escaped_name(
    shared: Path, tmp_path: Path
) -> None:
    corpus = shared / "corpus"
    original = sorted(corpus.rglob("*.md"))[0]
    shutil.copyfile(original, os.path.join(os.fsencode(original.parent), b"caf\xe9.md"))
    escaped = f"{original.parent.relative_to(corpus).as_posix()}/caf\\xe9.md"
    source = SourceTree(str(corpus))
    assert escaped in source.discover().column("source_path").to_pylist()
    found = found_files([escaped], [None], [None])
    assert dict(source.read(found)) == {escaped: original.read_bytes()}
    first = quicktakes_etl(source=str(corpus), warehouse=str(tmp_path))
    with duckdb.connect(first.database_path, read_only=True) as con:
        query = "select status from etl.source_files where source_path = ?"
        assert con.execute(query, [escaped]).fetchall() == [("loaded",)]
    again = quicktakes_etl(source=str(corpus), warehouse=str(tmp_path))
    assert (again.files_read, again.files_changed) == (0, 0)


def test_url_source_reruns_parse_nothing_unchanged(shared: Path, tmp_path: Path) -> None:
    source = (shared / "corpus").as_uri()
    quicktakes_etl(source=source, warehouse=str(tmp_path))
    again = quicktakes_etl(source=source, warehouse=str(tmp_path))
    assert again.counts["etl.source_files"] == again.files_seen
    assert (again.files_read, again.files_changed, again.changed) == (0, 0, False)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("file:///no/such/folder", "source folder not found"),
        ("nosuchprotocol://bucket/learn", "cannot open source"),
    ],
    ids=["missing-folder", "unknown-protocol"],
)
def test_bad_source_urls_are_one_line_errors(source: str, message: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=message):
        resolve_settings(source, str(tmp_path))


def make_unlistable_folder(parent: Path) -> None:
    """Folders nested past the OS's path length limit (PATH_MAX): a folder the walk finds
    and cannot list, as root too (to whom a mode-000 folder is no obstacle)."""
    folder = os.open(parent, os.O_RDONLY)
    try:
        for _ in range(os.pathconf(parent, "PC_PATH_MAX") // 250 + 1):
            os.mkdir("d" * 250, dir_fd=folder)
            inner = os.open("d" * 250, os.O_RDONLY, dir_fd=folder)
            os.close(folder)
            folder = inner
    finally:
        os.close(folder)


@pytest.mark.parametrize("as_url", [False, True], ids=["path", "file-url"])
def test_a_folder_that_cannot_be_listed_stops_the_run_before_any_change(
    shared: Path, tmp_path: Path, as_url: bool
) -> None:
    source = shared / "corpus"
    location = source.as_uri() if as_url else str(source)
    warehouse = tmp_path / "wh"
    first = quicktakes_etl(source=location, warehouse=str(warehouse))
    before = warehouse_rows(Path(first.database_path))
    make_unlistable_folder(source / "learn" / "biology")
    with pytest.raises(SourceUnlistable, match=r"^cannot list source folder .*File name too long"):
        quicktakes_etl(source=location, warehouse=str(warehouse))
    assert warehouse_rows(Path(first.database_path)) == before
    with duckdb.connect(str(warehouse / ".state" / "state.duckdb"), read_only=True) as con:
        assert con.execute("select status from etl.runs order by run_no").fetchall() == [
            ("succeeded",),
            ("failed",),
        ]
