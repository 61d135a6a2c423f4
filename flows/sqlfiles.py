"""The project's SQL files, read from the installed ``sql`` package."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

_SEVERITY_PREFIX = "-- severity:"


@dataclass(frozen=True, slots=True)
class SqlFile:
    name: str
    text: str


def read_sql_files(folder: str) -> list[SqlFile]:
    """All ``*.sql`` files of ``sql/<folder>``, sorted by name."""
    directory = resources.files("sql").joinpath(folder)
    files = [entry for entry in directory.iterdir() if entry.name.endswith(".sql")]
    return [
        SqlFile(entry.name.removesuffix(".sql"), entry.read_text("utf-8"))
        for entry in sorted(files, key=lambda entry: entry.name)
    ]


def read_sql(folder: str, name: str) -> str:
    return resources.files("sql").joinpath(folder, f"{name}.sql").read_text("utf-8")


def check_severity(text: str) -> str:
    """A check's severity from its first line, ``-- severity: error|warn``."""
    first = text.lstrip().splitlines()[0] if text.strip() else ""
    if not first.startswith(_SEVERITY_PREFIX):
        raise ValueError(f"check does not start with '{_SEVERITY_PREFIX} error|warn'")
    severity = first.removeprefix(_SEVERITY_PREFIX).strip()
    if severity not in ("error", "warn"):
        raise ValueError(f"unknown check severity {severity!r}")
    return severity
