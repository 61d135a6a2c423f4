"""Where article files are read from and parsed batches are staged: a local folder or any
fsspec URL (``s3://``, ``gs://``, ``abfs://``, ``file://``...), so Dask workers on other
machines can reach both."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import fsspec
import pyarrow as pa
import pyarrow.parquet as pq
from fsspec.spec import AbstractFileSystem

from flows.errors import RunRefused
from transforms.batch import Unreadable

ARTICLE_SUFFIX = ".md"
FOUND = pa.schema(
    [
        pa.field("source_path", pa.string(), nullable=False),
        pa.field("size_bytes", pa.int64()),
        pa.field("mtime_ns", pa.int64()),
        pa.field("blob_id", pa.string()),
    ]
)
"""A source's files: a folder's with size and mtime, a git tree's with blob ids."""


def found_files(
    paths: Sequence[str],
    sizes: Sequence[int | None],
    mtimes: Sequence[int | None],
    blob_ids: Sequence[str | None] | None = None,
) -> pa.Table:
    """The files a walk found, with size and mtime ns (null where it could not stat one),
    sorted by path: a table, as 359k paths and stats took 130 MB as Python objects."""
    blobs = blob_ids if blob_ids is not None else [None] * len(paths)
    table = pa.table(
        {"source_path": paths, "size_bytes": sizes, "mtime_ns": mtimes, "blob_id": blobs}, FOUND
    )
    return table.sort_by("source_path")


def is_url(location: str) -> bool:
    return "://" in location


def _filesystem(url: str) -> tuple[AbstractFileSystem, str]:
    fs, root = fsspec.core.url_to_fs(url)
    return fs, str(root).rstrip("/")


@dataclass(frozen=True, slots=True)
class SourceTree:
    """The article files under a root. Local roots use the OS directly (the fast path);
    URLs go through fsspec. Only the location is pickled to workers."""

    location: str

    def __str__(self) -> str:
        return self.location

    def discover(self) -> pa.Table:
        """Every ``*.md`` file as a ``/``-separated relative path with its size and mtime ns,
        sorted by path (``FOUND``)."""
        if not is_url(self.location):
            return discover_with_stats(Path(self.location))
        fs, base = _filesystem(self.location)
        listing = _list_files(fs, base)
        articles = [(n, i) for n, i in listing.items() if n.endswith(ARTICLE_SUFFIX)]
        return found_files(
            [name[len(base) + 1 :] for name, _info in articles],
            [int(info.get("size") or 0) for _name, info in articles],
            [_modified_ns(info) for _name, info in articles],
        )

    def read(self, files: pa.Table) -> Iterator[tuple[str, bytes | Unreadable]]:
        """Each file's bytes (``source_path`` of a ``FOUND`` slice), or why it could not be
        read; one bad file stops nothing."""
        paths = files.column("source_path").to_pylist()
        if not is_url(self.location):
            yield from read_source_files(Path(self.location), paths)
            return
        fs, base = _filesystem(self.location)
        for path in paths:
            try:
                yield path, _with_retries(partial(fs.cat_file, f"{base}/{path}"))
            except OSError as error:
                yield path, Unreadable(f"cannot read file: {error.strerror or error}")


@dataclass(frozen=True, slots=True)
class StagingArea:
    """Where parse workers write a batch's tables as Parquet, one file per table and
    batch: the run's pending partition, or storage remote workers share (``--staging``),
    from which the run copies them into its partition."""

    location: str

    def write(self, table: str, batch_no: int, rows: pa.Table) -> None:
        fs, root = _filesystem(self.location)
        target = f"{root}/{table}/{batch_file(batch_no)}"
        fs.makedirs(f"{root}/{table}", exist_ok=True)
        with fs.open(target, "wb") as sink:
            pq.write_table(rows, sink, compression="zstd")

    def copy_to(self, partition: Path, tables: Iterable[str], batch_nos: Iterable[int]) -> None:
        fs, root = _filesystem(self.location)
        for batch_no in batch_nos:
            for table in tables:
                (partition / table).mkdir(parents=True, exist_ok=True)
                fs.get_file(
                    f"{root}/{table}/{batch_file(batch_no)}",
                    str(partition / table / batch_file(batch_no)),
                )

    def remove(self) -> None:
        fs, root = _filesystem(self.location)
        if fs.exists(root):
            fs.rm(root, recursive=True)


def batch_file(batch_no: int) -> str:
    return f"batch-{batch_no:06d}.parquet"


def discover_article_files(source_root: Path) -> list[str]:
    """Every ``*.md`` file under the root, as sorted ``/``-separated relative paths.

    Symlinked folders are not followed, so a link loop cannot trap the walk.
    """
    return sorted(path for path, _info in _walk(str(source_root), "", stat=False))


def discover_with_stats(source_root: Path) -> pa.Table:
    """The article files with size and mtime ns, in one walk; null stats for a file that
    cannot be stat'ed, which gets parsed."""
    paths: list[str] = []
    sizes: list[int | None] = []
    mtimes: list[int | None] = []
    for path, info in _walk(str(source_root), "", stat=True):
        paths.append(path)
        sizes.append(info.st_size if info else None)
        mtimes.append(info.st_mtime_ns if info else None)
    return found_files(paths, sizes, mtimes)


class EmptySource(RunRefused):
    """A source with no article files for a warehouse that holds none: a wrong folder, most
    likely, and loading it would publish an empty warehouse."""


class SourceUnlistable(RunRefused):
    """A folder under the source cannot be listed: its files could be neither loaded nor
    taken as deleted, so the run stops before it changes anything."""


def _unlistable(folder: str, error: OSError) -> SourceUnlistable:
    return SourceUnlistable(
        f"cannot list source folder {folder} ({error.strerror or error}): its files would "
        f"count as deleted; nothing was changed"
    )


REMOTE_ATTEMPTS = 4
REMOTE_BACKOFF_SECONDS = 0.5
"""A remote call that fails as a connection or a timeout fails is tried again, up to this
many times in all, after 0.5, 1 and 2 s."""
TRANSIENT_ERRORS = (ConnectionError, TimeoutError)

Result = TypeVar("Result")


def _with_retries(call: Callable[[], Result]) -> Result:
    """A remote store's call, tried again with backoff on errors that pass (a dropped
    connection, a timeout). Local files never come here, and a missing or forbidden file,
    like any other error, fails at once."""
    for attempt in range(REMOTE_ATTEMPTS - 1):
        try:
            return call()
        except TRANSIENT_ERRORS:
            time.sleep(REMOTE_BACKOFF_SECONDS * 2**attempt)
    return call()


def _list_files(fs: AbstractFileSystem, base: str) -> dict[str, dict[str, Any]]:
    """Every file under ``base`` with its listing entry. A store with a ``find`` of its own
    (object stores list a prefix in pages) raises on failure; fsspec's generic ``find``
    skips a subfolder it cannot list, so those stores are walked here, like local folders:
    a folder removed meanwhile has no files, one that cannot be listed raises, folder
    symlinks are not followed."""
    if type(fs).find is not AbstractFileSystem.find:
        try:
            return dict(_with_retries(partial(fs.find, base, withdirs=False, detail=True)))
        except FileNotFoundError:
            return {}
        except OSError as error:
            raise _unlistable(base, error) from error
    files: dict[str, dict[str, Any]] = {}
    folders = [base]
    while folders:
        folder = folders.pop()
        try:
            listing = _with_retries(partial(fs.ls, folder, detail=True))
        except FileNotFoundError:
            continue
        except OSError as error:
            raise _unlistable(folder, error) from error
        for info in listing:
            name = info["name"].rstrip("/")
            if info["type"] != "directory":
                files[name] = info
            elif name != folder and not info.get("islink"):
                folders.append(name)
    return files


def _walk(folder: str, prefix: str, stat: bool) -> Iterator[tuple[str, os.stat_result | None]]:
    """Each article file's relative path, with its stat when asked (None where it cannot be
    stat'ed: a broken symlink). Files are stat'ed relative to their folder's descriptor: a
    path resolved from the root each time cost half of a large walk. A folder removed
    during the walk has no files; one that cannot be listed raises; a symlinked folder is
    not followed."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except FileNotFoundError:
        return
    except OSError as error:
        raise _unlistable(folder, error) from error
    try:
        for entry in _listing(folder, fd):
            path = f"{prefix}{portable_name(entry.name)}"
            if entry.is_dir():
                if not entry.is_symlink():
                    yield from _walk(os.path.join(folder, entry.name), f"{path}/", stat)
            elif entry.name.endswith(ARTICLE_SUFFIX):
                yield path, _stat(entry.name, fd) if stat else None
    finally:
        os.close(fd)


def _listing(folder: str, fd: int) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(fd) as listing:
            return list(listing)
    except OSError as error:
        raise _unlistable(folder, error) from error


def _stat(name: str, folder: int) -> os.stat_result | None:
    try:
        return os.stat(name, dir_fd=folder)
    except OSError:
        return None


def portable_name(name: str) -> str:
    """A file name as text every table can hold: a name whose bytes are not UTF-8 keeps
    each such byte as ``\\xNN`` (Arrow, Parquet and DuckDB take only valid UTF-8; one such
    name used to fail the whole run)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(name).decode("utf-8", "backslashreplace")
    return name


_ESCAPED_BYTE = re.compile(r"\\x([0-9a-f]{2})")


def _os_path(source_root: Path, path: str) -> bytes:
    """The file a ``portable_name`` path names: its text as UTF-8, each ``\\xNN`` one byte."""
    parts = _ESCAPED_BYTE.split(path)
    raw = b"".join(
        bytes.fromhex(part) if odd else part.encode("utf-8")
        for part, odd in zip(parts, itertools.cycle((False, True)))
    )
    return os.path.join(os.fsencode(source_root), raw)


def read_source_files(
    source_root: Path, paths: list[str]
) -> Iterator[tuple[str, bytes | Unreadable]]:
    for path in paths:
        try:
            yield path, _read_bytes(source_root, path)
        except OSError as error:
            yield path, Unreadable(f"cannot read file: {error.strerror or error}")


def _read_bytes(source_root: Path, path: str) -> bytes:
    try:
        return (source_root / path).read_bytes()
    except FileNotFoundError:
        if not _ESCAPED_BYTE.search(path):
            raise
    with open(_os_path(source_root, path), "rb") as file:
        return file.read()


def _modified_ns(info: dict[str, object]) -> int:
    """The modification time a store's listing reports, in ns (local and SFTP ``mtime``,
    S3 ``LastModified``, Azure ``last_modified``, else ``created``, which a store that only
    replaces whole objects renews on every write); 0 where it has none, which leaves size
    as the only change signal (run --full-refresh after a same-size rewrite)."""
    for key in ("mtime", "LastModified", "last_modified", "created"):
        value = info.get(key)
        if isinstance(value, int | float):
            return int(value * 1_000_000_000)
        if isinstance(value, dt.datetime):
            return int(value.timestamp() * 1_000_000_000)
    return 0
