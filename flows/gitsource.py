"""Article files from a git repository, with no checkout: fetched into a bare cache beside
the warehouse, listed at a commit, read from the object database by blob id.

The git command does the work. Listing and reading the 35,915 real blobs took it about as
long as the libraries measured (docs/performance.md), it needs no new dependency, and it
fetches with the operator's own git setup: credential helpers, ssh keys and config,
proxies. A blob id names a file's bytes, so it is the change signal: a file whose id the
state holds is not read again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from flows.errors import RunRefused
from flows.storage import ARTICLE_SUFFIX, REMOTE_ATTEMPTS, REMOTE_BACKOFF_SECONDS, found_files
from transforms.batch import Unreadable

GIT_PREFIX = "git+"
REMOTE_HEAD = "refs/quicktakes/remote-head"
"""Where each fetch keeps the commit the remote's HEAD names: the default ref."""
_REFSPECS = ("+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*", f"+HEAD:{REMOTE_HEAD}")
_REGULAR_FILES = (b"100644", b"100755")
_TRANSIENT = re.compile(
    r"could not resolve host|connection (refused|reset|timed out)|timed out|early eof|"
    r"hung up unexpectedly|temporary failure|rpc failed|\b50[234]\b|unable to access|"
    r"unable to connect",
    re.IGNORECASE,
)
"""Fetch errors that another attempt can get past: the network, not the repository."""
_CORRUPT = re.compile(
    r"not a git repository|bad config|corrupt|bad object|object file .* is empty|loose object|"
    r"unable to read|packfile .* cannot be accessed|index-pack failed|missing blob",
    re.IGNORECASE,
)
_ENV = {"GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
"""No password prompt can hang a scheduled run; messages in English for the checks above."""


class GitSourceError(RunRefused):
    """A git source cannot be used as asked: one line, and nothing was changed."""


class _GitFailed(Exception):
    def __init__(self, args: tuple[str, ...], stderr: str) -> None:
        lines = [line.strip() for line in stderr.splitlines() if line.strip()]
        self.stderr = " ".join(lines)
        first = next((n for n, line in enumerate(lines) if line.startswith("fatal:")), None)
        if first is None:
            self.message = lines[-1] if lines else f"git {args[0]} failed"
        else:
            self.message = " ".join(lines[first : first + 2])
        super().__init__(self.message)


def is_git_source(location: str | None) -> bool:
    return location is not None and location.startswith(GIT_PREFIX)


def remote_url(location: str) -> str:
    return location.removeprefix(GIT_PREFIX)


@dataclass(frozen=True, slots=True)
class Commit:
    sha: str
    time: dt.datetime
    subject: str

    @property
    def short(self) -> str:
        return self.sha[:9]


def _git(repo: Path | None, *args: str, stdin: bytes | None = None) -> bytes:
    command = ["git", *(("-C", str(repo)) if repo is not None else ()), *args]
    done = subprocess.run(
        command, input=stdin, capture_output=True, env={**os.environ, **_ENV}, check=False
    )
    if done.returncode != 0:
        raise _GitFailed(args, done.stderr.decode("utf-8", "replace"))
    return done.stdout


@dataclass(frozen=True, slots=True)
class GitCache:
    """A bare mirror of the remote's branches and tags, fetched incrementally; the cache is
    the run's to change, under the warehouse's lock."""

    path: Path
    url: str

    @classmethod
    def beside(cls, folder: Path, url: str) -> GitCache:
        name = re.sub(r"[^A-Za-z0-9._-]+", "-", url.rstrip("/").rsplit("/", 1)[-1])[:40]
        digest = hashlib.sha256(url.encode("utf-8")).hexdigest()[:12]
        return cls(folder / f"{name}-{digest}", url)

    def fetch(self) -> None:
        """Bring the cache up to date with the remote, trying again with backoff on a
        network error; raise GitSourceError when the remote or the cache is unusable."""
        if not (self.path / "HEAD").is_file():
            self._create()
        self._check_whole()
        for attempt in range(REMOTE_ATTEMPTS):
            try:
                _git(
                    self.path,
                    "fetch",
                    "--quiet",
                    "--prune",
                    "--no-write-fetch-head",
                    self.url,
                    *_REFSPECS,
                )
                return
            except _GitFailed as error:
                if _CORRUPT.search(error.stderr):
                    raise self._corrupt(error.message) from None
                if attempt + 1 == REMOTE_ATTEMPTS or not _TRANSIENT.search(error.stderr):
                    tries = f" (after {attempt + 1} attempts)" if attempt else ""
                    raise GitSourceError(
                        f"cannot fetch {self.url}{tries}: {error.message}; nothing was changed"
                    ) from None
                time.sleep(REMOTE_BACKOFF_SECONDS * 2**attempt)

    def _create(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        _git(None, "init", "--quiet", "--bare", str(self.path))

    def _check_whole(self) -> None:
        if (self.path / "shallow").exists():
            raise GitSourceError(
                f"the git cache {self.path} is shallow: the history a run compares with may "
                f"be missing; delete that folder and the next run fetches it whole"
            )
        try:
            _git(self.path, "rev-parse", "--git-dir")
        except _GitFailed as error:
            raise self._corrupt(error.message) from None

    def _corrupt(self, message: str) -> GitSourceError:
        return GitSourceError(
            f"the git cache {self.path} is damaged ({message}): delete that folder and the "
            f"next run fetches it anew; nothing was changed"
        )

    def resolve(self, ref: str | None) -> Commit:
        """The commit a branch, tag or commit id names; the remote's HEAD by default."""
        name = ref or REMOTE_HEAD
        try:
            return self.commit(
                _git(self.path, "rev-parse", "--verify", "--quiet", f"{name}^{{commit}}")
                .decode()
                .strip()
            )
        except _GitFailed:
            what = f"ref {ref!r}" if ref else "the remote's HEAD"
            raise GitSourceError(
                f"{what} is not a commit of {self.url}: name a branch, tag or commit with --ref"
            ) from None

    def commit(self, sha: str) -> Commit:
        try:
            out = _git(self.path, "show", "-s", "--format=%H%x00%ct%x00%s", sha)
        except _GitFailed as error:
            raise self._corrupt(error.message) from None
        full, seconds, subject = out.decode("utf-8", "replace").rstrip("\n").split("\0", 2)
        return Commit(full, dt.datetime.fromtimestamp(int(seconds), dt.UTC), subject)

    def has_commit(self, sha: str) -> bool:
        try:
            _git(self.path, "cat-file", "-e", f"{sha}^{{commit}}")
        except _GitFailed:
            return False
        return True

    def is_ancestor(self, older: str, newer: str) -> bool:
        """Whether ``older`` is ``newer`` or one of its ancestors."""
        if not self.has_commit(older):
            return False
        done = subprocess.run(
            ["git", "-C", str(self.path), "merge-base", "--is-ancestor", older, newer],
            capture_output=True,
            env={**os.environ, **_ENV},
            check=False,
        )
        return done.returncode == 0

    def commits(self, path: str, after: str | None, until: str) -> list[Commit]:
        """The commits that changed ``path``, after ``after`` (all when None) up to and
        with ``until``, oldest first."""
        span = f"{after}..{until}" if after else until
        out = _git(
            self.path,
            "log",
            "--reverse",
            "--topo-order",
            "--format=%H%x00%ct%x00%s%x00",
            span,
            "--",
            path or ".",
        )
        fields = out.decode("utf-8", "replace").split("\0")
        return [
            Commit(sha.strip(), dt.datetime.fromtimestamp(int(seconds), dt.UTC), subject)
            for sha, seconds, subject in zip(fields[0::3], fields[1::3], fields[2::3], strict=False)
            if sha.strip()
        ]

    def tree(self, commit: Commit, path: str) -> GitTree:
        return GitTree(str(self.path), commit.sha, path.strip("/"))


def check_history(
    cache: GitCache, commit: Commit, held_commit: str | None, held_time: dt.datetime | None
) -> None:
    """Refuse a commit the warehouse cannot take as its next: one older than the commit it
    holds, one from a history rewritten since (a force-push), or one whose time is before
    the versions it holds (time travel would lie)."""
    if held_commit is not None and not cache.is_ancestor(held_commit, commit.sha):
        if cache.has_commit(held_commit) and cache.is_ancestor(commit.sha, held_commit):
            raise GitSourceError(
                f"commit {commit.short} is older than commit {held_commit[:9]}, which the "
                f"warehouse already holds: it loads history forward only; nothing was changed"
            )
        raise GitSourceError(
            f"commit {held_commit[:9]}, which the warehouse holds, is not in the history of "
            f"{commit.short}: the remote's history was rewritten (a force-push?); load it into "
            f"a new warehouse; nothing was changed"
        )
    if held_time is not None and commit.time < held_time:
        raise GitSourceError(
            f"commit {commit.short} was made at {commit.time:%Y-%m-%d %H:%M:%S}Z, before the "
            f"warehouse's latest versions ({held_time:%Y-%m-%d %H:%M:%S}Z): history "
            f"would go backwards; load it into a new warehouse; nothing was changed"
        )


@dataclass(frozen=True, slots=True)
class GitTree:
    """The article files under ``path`` at one commit of a cache; what parse workers get
    (paths only, so pickling is cheap)."""

    cache: str
    commit: str
    path: str

    def __str__(self) -> str:
        return f"{self.commit[:9]}:{self.path}"

    def exists(self) -> bool:
        if not self.path:
            return True
        try:
            kind = _git(Path(self.cache), "cat-file", "-t", f"{self.commit}:{self.path}")
        except _GitFailed:
            return False
        return kind.strip() == b"tree"

    def discover(self) -> pa.Table:
        """Every regular ``*.md`` file under the path, relative to it, with its blob id
        (``FOUND``; no size or mtime: the blob id says whether it changed)."""
        prefix = f"{self.path}/" if self.path else ""
        listing = _git(
            Path(self.cache),
            "ls-tree",
            "-r",
            "-z",
            "--full-tree",
            "--format=%(objectmode) %(objectname) %(path)",
            self.commit,
            "--",
            prefix or ".",
        )
        paths: list[str] = []
        blobs: list[str] = []
        for entry in listing.split(b"\0"):
            mode, _, rest = entry.partition(b" ")
            blob, _, name = rest.partition(b" ")
            if mode in _REGULAR_FILES and name.endswith(ARTICLE_SUFFIX.encode()):
                paths.append(name.decode("utf-8", "backslashreplace")[len(prefix) :])
                blobs.append(blob.decode())
        nulls = [None] * len(paths)
        return found_files(paths, nulls, nulls, blobs)

    def read(self, files: pa.Table) -> Iterator[tuple[str, bytes | Unreadable]]:
        """Each file's bytes by its blob id, from one ``git cat-file --batch``."""
        paths = files.column("source_path").to_pylist()
        blobs = files.column("blob_id").to_pylist()
        try:
            out = _git(
                Path(self.cache),
                "cat-file",
                "--batch",
                stdin="".join(f"{blob}\n" for blob in blobs).encode(),
            )
        except _GitFailed as error:
            for path in paths:
                yield path, Unreadable(f"cannot read blob: {error.message}")
            return
        position = 0
        for path in paths:
            header_end = out.index(b"\n", position)
            header = out[position:header_end].split(b" ")
            position = header_end + 1
            if len(header) != 3 or header[1] != b"blob":
                yield path, Unreadable(f"cannot read blob: {b' '.join(header).decode()}")
                continue
            size = int(header[2])
            yield path, out[position : position + size]
            position += size + 1
