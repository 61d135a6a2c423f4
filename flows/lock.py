"""One writer per warehouse: an exclusive lock file held for the whole run."""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from flows.errors import RunRefused

LOCK_FILE = ".run.lock"
_POLL_SECONDS = 0.5


class WarehouseBusy(RunRefused):
    """Another run holds the warehouse lock past the wait the caller allowed."""


@contextmanager
def warehouse_lock(
    warehouse_dir: Path,
    timeout: float,
    holder: str,
    waiting: Callable[[str], None] = lambda _holder: None,
) -> Iterator[None]:
    """Hold the warehouse's run lock, waiting up to ``timeout`` seconds for it; ``waiting``
    hears the holder's name once, when the wait begins.

    The kernel drops the lock when its process dies, even by SIGKILL, so a killed
    run never blocks the next one.
    """
    path = warehouse_dir / LOCK_FILE
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _acquire(fd, path, timeout, waiting)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{holder} pid {os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)


def _acquire(fd: int, path: Path, timeout: float, waiting: Callable[[str], None]) -> None:
    deadline = time.monotonic() + timeout
    told = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise WarehouseBusy(
                    f"another run is writing this warehouse ({_holder(path)}); "
                    f"gave up after waiting {timeout:.0f} s"
                ) from None
            if not told:
                waiting(_holder(path))
                told = True
            time.sleep(_POLL_SECONDS)


def _holder(path: Path) -> str:
    return path.read_text(errors="replace").strip() or "another process"
