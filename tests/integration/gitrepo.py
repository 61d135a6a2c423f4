"""A CMS repository a test builds commit by commit, with its bare remote, and a real
``git daemon`` serving it."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

BASE_TIME = dt.datetime(2025, 2, 1, 9, 0, tzinfo=dt.UTC)


def git(cwd: Path, *args: str, when: dt.datetime | None = None) -> str:
    env = {
        **os.environ,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "CMS",
        "GIT_AUTHOR_EMAIL": "cms@example.org",
        "GIT_COMMITTER_NAME": "CMS",
        "GIT_COMMITTER_EMAIL": "cms@example.org",
    }
    if when is not None:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = when.isoformat()
    done = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


@dataclass
class CmsRepo:
    """A working copy whose commits (one hour apart from ``BASE_TIME``) are pushed to a
    bare remote, ``remote``, as the CMS would."""

    root: Path
    work: Path = field(init=False)
    remote: Path = field(init=False)
    commits: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.work, self.remote = self.root / "work", self.root / "cms.git"
        self.work.mkdir(parents=True)
        git(self.work, "init", "--quiet", "--initial-branch=main")
        git(self.root, "init", "--quiet", "--bare", "--initial-branch=main", str(self.remote))

    @property
    def url(self) -> str:
        return f"git+{self.remote.as_uri()}"

    def write(self, path: str, text: str | bytes) -> None:
        target = self.work / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            target.write_bytes(text)
        else:
            target.write_text(text, encoding="utf-8")

    def copy_tree(self, folder: Path, into: str) -> None:
        shutil.copytree(folder, self.work / into, dirs_exist_ok=True)

    def remove(self, path: str) -> None:
        git(self.work, "rm", "-r", "--quiet", path)

    def move(self, old: str, new: str) -> None:
        (self.work / new).parent.mkdir(parents=True, exist_ok=True)
        git(self.work, "mv", old, new)

    def commit(self, message: str) -> str:
        """Commit everything and push it; returns the commit's SHA."""
        when = self.time(len(self.commits))
        git(self.work, "add", "--all")
        git(self.work, "commit", "--quiet", "--allow-empty", "-m", message, when=when)
        git(self.work, "push", "--quiet", "--force", str(self.remote), "main")
        self.commits.append(git(self.work, "rev-parse", "HEAD"))
        return self.commits[-1]

    def rewrite_last(self, message: str) -> str:
        """Replace the last commit by another and force-push it, as a CMS admin might."""
        git(self.work, "reset", "--quiet", "--hard", "HEAD~1")
        self.commits.pop()
        self.write("learn/rewritten.md", "not the history the warehouse holds")
        return self.commit(message)

    @staticmethod
    def time(number: int) -> dt.datetime:
        return BASE_TIME + dt.timedelta(hours=number)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def git_daemon(base: Path) -> Iterator[str]:
    """``git daemon`` serving every repository under ``base`` on 127.0.0.1; yields its
    ``git://`` URL prefix once it says it is ready."""
    port = free_port()
    daemon = subprocess.Popen(
        [
            "git",
            "daemon",
            "--verbose",
            "--export-all",
            f"--base-path={base}",
            "--listen=127.0.0.1",
            f"--port={port}",
            "--reuseaddr",
            str(base),
        ],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert daemon.stderr is not None
        for line in daemon.stderr:
            if "Ready to rumble" in line:
                break
        else:
            raise RuntimeError("git daemon ended before it was ready")
        threading.Thread(target=daemon.stderr.read, daemon=True).start()
        yield f"git://127.0.0.1:{port}"
    finally:
        daemon.terminate()
        daemon.wait(timeout=30)
