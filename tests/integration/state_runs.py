"""A state database driven run by run as ``flows.merge.commit_run`` drives it: the files a
run read are parsed into a lake partition, merged, checked and recorded in one transaction.
Also small article files to feed it."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from flows import lake
from flows.lake import parse_and_index
from flows.warehouse import (
    ChecksFailed,
    RunRecord,
    apply_schema,
    in_transaction,
    merge_partition,
    record_run,
    register_discovered_files,
    run_checks,
)
from tests.conftest import render_article
from transforms.batch import SourceFile, Unreadable

FIRST_RUN_AT = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
RUN_INTERVAL = dt.timedelta(days=1)
SOURCE_ROOT = "/source"

BROKEN = "---\nid: [7\n---\n"
"""A file that fails to parse, as ``BROKEN_ERROR`` says."""
BROKEN_ERROR = ("yaml_error", "YAML did not find expected ',' or ']' at line 3, column 1", 3, 1)
NO_ACCESS = Unreadable("cannot read file: Permission denied")
OTHER_ANSWER = r"Intro.\n\n1. **One**: first.\n\nChanged."
"""An answer with one point where the default one has two."""

Content = str | bytes | Unreadable
Link = tuple[int | None, str]
"""A related-article link as a page gives it: the linked id (or none) and URL."""


def run_time(run_no: int) -> dt.datetime:
    """The source time of run ``run_no``: runs are a day apart."""
    return FIRST_RUN_AT + (run_no - 1) * RUN_INTERVAL


def run_id(run_no: int) -> str:
    return f"run-{run_no}"


def run_record(run_no: int) -> RunRecord:
    return RunRecord(
        run_id=run_id(run_no),
        run_no=run_no,
        flow_run_name=None,
        source_time=run_time(run_no),
        started_at=run_time(run_no),
        status="succeeded",
        source_root=SOURCE_ROOT,
    )


def run_mtime_ns(run_no: int) -> int:
    """The modification time files read by run ``run_no`` have, unless a test says."""
    return int(run_time(run_no).timestamp()) * 1_000_000_000


def state_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A state file with the schema applied and no run, made once per test session:
    applying the schema takes longer than copying the file."""
    path = tmp_path_factory.getbasetemp() / "state-template.duckdb"
    if not path.exists():
        partial = path.with_name(f".{path.name}.partial")
        with duckdb.connect(str(partial)) as con:
            apply_schema(con, FIRST_RUN_AT)
        partial.rename(path)
    return path


def new_state(template: Path, folder: Path) -> duckdb.DuckDBPyConnection:
    """A state before any run, in ``folder``, copied from ``state_template``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "state.duckdb"
    shutil.copyfile(template, path)
    con = duckdb.connect(str(path))
    discover(con, [])
    return con


def discover(con: duckdb.DuckDBPyConnection, source_paths: Sequence[str]) -> None:
    """The files a run found, as a run hands them to the merge: a Parquet file."""
    row = con.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchone()
    assert row is not None
    found = Path(row[0]).with_name("discovered.parquet")
    pq.write_table(pa.table({"source_path": pa.array(source_paths, pa.string())}), found)
    register_discovered_files(con, found)


def listing(
    article_id: int = 7,
    slug: str = "psychology",
    name: str = "what-is-it",
    subject: str = "Psychology",
    links: Sequence[Link] = (),
    title: str = "What is it?",
    keywords: str = "alpha, beta",
    extra_lines: str = "",
    **fields: Any,
) -> str:
    """An article file listed under ``slug`` as ``name``, spelling its subject ``subject``
    (on its subject line only), with related links ``links`` (ranks 1, 2...); ``fields``
    go to ``render_article``."""
    link_lines = "".join(
        f"related_article{rank}:\n"
        + (f"    id: {linked_id}\n" if linked_id is not None else "")
        + f"    title: >-\n        Link {rank}\n    url: {url}\n"
        for rank, (linked_id, url) in enumerate(links, start=1)
    )
    text = render_article(
        article_id, subject="Subject", slug=slug, extra_lines=extra_lines + link_lines, **fields
    )
    replacements = {
        "\nsubject: Subject\n": f"\nsubject: {subject}\n",
        "\ntitle: >-\n    What is it?\n": f"\ntitle: >-\n    {title}\n",
        "\n    alpha, beta\n": f"\n    {keywords}\n",
        "what-is-it": name,
    }
    for old, new in replacements.items():
        text = text.replace(old, new)
    return text


def path_of(slug: str = "psychology", name: str = "what-is-it") -> str:
    return f"learn/{slug}/{name}.md"


def url_of(slug: str = "psychology", name: str = "what-is-it") -> str:
    return f"/learn/{slug}/questions/{name}"


def sha256(content: str | bytes) -> str:
    raw = content.encode("utf-8") if isinstance(content, str) else content
    return hashlib.sha256(raw).hexdigest()


@dataclass
class StateRuns:
    """The state ``con`` and the source folder it follows; each ``run`` commits one run."""

    con: duckdb.DuckDBPyConnection
    lake_dir: Path
    first_run_no: int = 1
    source: dict[str, bytes | Unreadable] = field(default_factory=dict)
    sources: list[dict[str, bytes | Unreadable]] = field(default_factory=list)
    """The source as it was after each run."""

    def run(
        self,
        read: Mapping[str, Content] | None = None,
        deleted: Sequence[str] = (),
        mtime_ns: int | None = None,
        discovered: Sequence[str] | None = None,
    ) -> RunRecord:
        """Read ``read`` (new, changed or re-read files) and find ``deleted`` gone; the
        run's file list is the source's files unless ``discovered`` says otherwise."""
        run_no = self.first_run_no + len(self.sources)
        run = run_record(run_no)
        files = {
            path: content.encode("utf-8") if isinstance(content, str) else content
            for path, content in (read or {}).items()
        }
        mtime = mtime_ns if mtime_ns is not None else run_mtime_ns(run_no)
        partition = self.lake_dir / lake.partition_name(run_no, run.run_id)
        tables = parse_and_index(SourceFile(path, mtime, raw) for path, raw in files.items())
        for name, table in tables.items():
            lake.write_table(partition, name, table, "batch-000000.parquet")
        lake.write_deleted(partition, pa.table({"source_path": pa.array(deleted, pa.string())}))
        source = {**self.source, **files}
        for path in deleted:
            del source[path]
        listed = sorted(source) if discovered is None else list(discovered)
        commit(self.con, partition, run, listed)
        self.source = source
        self.sources.append(source)
        return run


def commit(
    con: duckdb.DuckDBPyConnection, partition: Path, run: RunRecord, discovered: list[str]
) -> None:
    """Merge, check and record one run in one transaction; a failing error check raises
    ``ChecksFailed`` and leaves the state as it was."""
    discover(con, discovered)

    def merge() -> None:
        merge_partition(con, partition, run)
        checks = run_checks(con)
        if any(c.severity == "error" and not c.passed for c in checks):
            raise ChecksFailed(checks)
        record_run(con, run, run.source_time, checks, len(discovered), None)

    in_transaction(con, merge)


def full_load(
    runs: StateRuns, run_no: int, template: Path, folder: Path
) -> duckdb.DuckDBPyConnection:
    """A new state whose one run, at run ``run_no``'s time, read the whole source as it was
    after that run."""
    fresh = StateRuns(new_state(template, folder), folder / "lake", first_run_no=run_no)
    fresh.run(runs.sources[run_no - runs.first_run_no])
    return fresh.con


def rows(con: duckdb.DuckDBPyConnection, query: str, **parameters: Any) -> list[tuple[Any, ...]]:
    return con.execute(query, parameters).fetchall()


def records(con: duckdb.DuckDBPyConnection, query: str, **parameters: Any) -> list[dict[str, Any]]:
    """Rows as dicts by column name, for rows too wide to read as tuples."""
    cursor = con.execute(query, parameters)
    columns = [column[0] for column in cursor.description or []]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
