"""The errors a run stops with on purpose."""

from __future__ import annotations


class RejectedFiles(Exception):
    """A run asked to fail while the warehouse holds rejected files (--fail-on-rejected):
    the warehouse is published all the same."""


class RunRefused(Exception):
    """A run stopped for a reason its message gives in full (another run holds the lock, a
    mass deletion, a failed check): the command prints it without a traceback."""
