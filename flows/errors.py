"""The errors a run stops with on purpose, and the interrupts that stop it."""

from __future__ import annotations

import logging
import os
import select
import signal
import threading


class RejectedFiles(Exception):
    """A run asked to fail while the warehouse holds rejected files (--fail-on-rejected):
    the warehouse is published all the same."""


class RunRefused(Exception):
    """A run stopped for a reason its message gives in full (another run holds the lock, a
    mass deletion, a failed check): the command prints it without a traceback."""


class _NoRefusalTraceback(logging.Filter):
    """Prefect logs a failed task or flow run with its traceback; for a refusal (the lock
    taken, a mass deletion, a failed check) the message says it all, so the console gets
    that line alone. Prefect's API still receives the traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], RunRefused):
            record.exc_info, record.exc_text = None, None
        return True


def print_refusals_without_tracebacks() -> None:
    """Filter Prefect's console handlers (on the root logger once Prefect is imported), once:
    the command calls it, and so does each flow run, which under ``serve`` runs in a
    process of the runner's."""
    from prefect.logging.handlers import PrefectConsoleHandler

    for handler in logging.getLogger().handlers:
        if isinstance(handler, PrefectConsoleHandler) and not any(
            isinstance(f, _NoRefusalTraceback) for f in handler.filters
        ):
            handler.addFilter(_NoRefusalTraceback())


def leave_interrupts_to_the_parent(run_pid: int) -> None:
    """In a worker process: Ctrl-C reaches the terminal's whole process group, and the
    run's own process, which knows what to stop, handles it alone. Kept out of the flow's
    module, which imports Prefect: a worker that unpickles this imports only this module.

    The worker also ends when the run's process (``run_pid``) does. Stopping a pool ends
    the workers it knows, but an interrupt that lands while the pool starts one leaves
    that one out of its list: waiting for work that never comes, it held the run's output
    open (and the forkserver's, through an inherited pipe), so whatever read that output
    waited with it. A kernel or sandbox without pidfds runs the worker without the watch."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if not hasattr(os, "pidfd_open"):
        return
    try:
        run = os.pidfd_open(run_pid)
    except ProcessLookupError:
        os._exit(1)
    except OSError:
        return
    threading.Thread(target=_end_with, args=(run,), daemon=True).start()


def _end_with(run: int) -> None:
    select.select([run], [], [])
    os._exit(1)
