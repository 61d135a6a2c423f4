"""The errors a run stops with on purpose."""

from __future__ import annotations


class RunRefused(Exception):
    """A run stopped for a reason its message gives in full (another run holds the lock, a
    mass deletion, a failed check): the command prints it without a traceback."""
