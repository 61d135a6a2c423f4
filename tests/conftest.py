"""Shared fixtures: article builders, a Prefect test server, the real corpus."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from flows.sqlfiles import read_sql_files

# Prefect reads these when it is first imported; tests never touch ~/.prefect, and each
# pytest-xdist worker, whose Prefect test server is its own, has a home of its own.
if "PYTEST_XDIST_WORKER" in os.environ:
    os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix="quicktakes-prefect-")
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="quicktakes-prefect-"))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_TABLES = (
    "articles",
    "article_listings",
    "answer_points",
    "article_keywords",
    "related_articles",
    "page_keywords",
    "page_related_links",
    "subjects",
    "etl.rejected_files",
)
"""What analysts read of the current state; version times and run ids differ per run."""
STABLE_MANIFEST = "source_path, sha256, size_bytes, status, article_id"
FIXTURES = PROJECT_ROOT / "tests" / "fixtures"
SHARED_CORPUS = PROJECT_ROOT.parent / "shared" / "corpus"


def render_article(
    article_id: int | str = 7,
    answer: str = r"Intro.\n\n1. **One**: first.\n2. **Two**: second.\n\nEnd.",
    subject: str = "Psychology",
    slug: str = "psychology",
    extra_lines: str = "",
    related: int = 0,
) -> str:
    """A frontmatter article in the published corpus's layout, for small rule tests."""
    related_lines = "".join(
        f"related_article{rank}:\n    id: {100 + rank}\n    title: >-\n        Related {rank}?\n"
        f"    subject: {subject}\n    url: /learn/{slug}/questions/related-{rank}\n"
        for rank in range(1, related + 1)
    )
    return (
        "---\n_schema: default\n"
        f"id: {article_id}\ndate: 2024-11-23\n"
        "title: >-\n    What is it?\narticle_title: >-\n    What is it?\n"
        "date_format: MMM DD, YYYY\npost_on_text: Posted on\n"
        f"seo:\n  title: QuickTakes | {subject}\n  page_description: >-\n    About it.\n"
        "  page_keywords: >-\n    alpha, beta\n"
        "author: QuickTakes\nquestion: >-\n    What is it?\n"
        f"answer: >-\n    {answer}\n"
        f"subject: {subject}\nfile_name: what-is-it.md\n"
        f"url: /learn/{slug}/questions/what-is-it\n"
        f"{extra_lines}{related_lines}---\n\n&nbsp;"
    )


def warehouse_rows(database: Path | str) -> dict[str, list[tuple[Any, ...]]]:
    """Every data table in a stable order, and the manifest without the stamps that name
    runs and modification times: what two warehouses of the same files must share."""
    import duckdb

    with duckdb.connect(str(database), read_only=True) as con:
        rows = {
            table: con.execute(
                f"select {_stable_columns(con, table)} from {table} order by all"
            ).fetchall()
            for table in DATA_TABLES
        }
        rows["etl.source_files"] = con.execute(
            f"select {STABLE_MANIFEST} from etl.source_files order by all"
        ).fetchall()
    return rows


def articles_at(database: Path | str, at: Any = None) -> list[tuple[Any, ...]]:
    """The articles a warehouse held at ``at`` (now, by default), without the time their
    version began: one loaded from a commit's tree has it at that commit."""
    import duckdb

    relation = "articles_as_of($at)" if at is not None else "articles"
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(
            f"select * exclude (version_valid_from) from {relation} order by all",
            {"at": at} if at is not None else None,
        ).fetchall()


def _stable_columns(con: Any, table: str) -> str:
    """A table's columns but the time its row's version was written, which differs per run."""
    schema, _, name = table.rpartition(".")
    columns = con.execute(
        "select column_name from duckdb_columns() where schema_name = $schema "
        "and table_name = $name and column_name != 'version_valid_from' order by column_index",
        {"schema": schema or "main", "name": name},
    ).fetchall()
    return ", ".join(f'"{column}"' for (column,) in columns)


def assert_rebuilds_the_same(warehouse: Path, scratch: Path) -> None:
    """The lake alone rebuilds the state the runs kept, history included, row for row."""
    import datetime as dt

    import duckdb

    from flows.merge import parser_version, rebuild_state
    from flows.settings import Layout

    layout = Layout(warehouse)
    scratch.mkdir(parents=True, exist_ok=True)
    rebuilt = scratch / "rebuilt.duckdb"
    rebuild_state(layout.lake_dir, rebuilt, parser_version(), dt.datetime.now(dt.UTC), scratch)
    with duckdb.connect() as con:
        for name, path in (("kept", layout.state_path), ("rebuilt", rebuilt)):
            quoted = str(path).replace("'", "''")  # ATTACH takes no bind parameters
            con.execute(f"attach '{quoted}' as {name} (read_only)")
        listed = (
            "select schema_name || '.' || table_name from duckdb_tables() "
            "where database_name = $name "
            "and table_name not in ('derivations', 'schema_version', 'schema_objects') order by 1"
        )
        tables = con.execute(listed, {"name": "kept"}).fetchall()
        assert ("etl.page_contents",) in tables
        assert con.execute(listed, {"name": "rebuilt"}).fetchall() == tables
        for (table,) in tables:
            kept = con.execute(f"select * from kept.{table} order by all").fetchall()
            assert con.execute(f"select * from rebuilt.{table} order by all").fetchall() == kept, (
                table
            )


CHECK_NAMES = sorted(sql_file.name for sql_file in read_sql_files("checks"))
"""Every data check in sql/checks: what a run that merges reports on."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test on the Prefect server is slow: a flow run takes seconds, and the server
    20 s to start. Marked here, from the fixture it uses, so no module can forget it."""
    for item in items:
        if "prefect_server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def prefect_server() -> Iterator[None]:
    """One Prefect test server for the whole session: it takes ~20 s to start."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="session")
def real_corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The published corpus extracted to a temp folder; skips when ../shared is absent.

    Shared by every test of the session, so no test may change it (one that edits files
    copies it first): the session fails at teardown if a file changed."""
    archives = sorted(SHARED_CORPUS.glob("*.tar.gz"))
    if not archives:
        pytest.skip(
            f"real corpus not found at {SHARED_CORPUS} (needs ../shared beside the project)"
        )
    target = tmp_path_factory.mktemp("real-corpus")
    for archive in archives:
        with tarfile.open(archive) as tar:
            tar.extractall(target, filter="data")
    extracted = tree_stamps(target)
    yield target
    changed = sorted({path for path, _ in set(extracted.items()) ^ tree_stamps(target).items()})
    assert not changed, (
        f"tests changed {len(changed)} files of the shared real corpus: {changed[:3]}"
    )


def tree_stamps(root: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``root`` with its size and modification time."""
    return {
        path.relative_to(root).as_posix(): (path.stat().st_size, path.stat().st_mtime_ns)
        for path in root.rglob("*")
        if path.is_file()
    }


DUCKDB_CLI = Path(sys.executable).parent / "duckdb"


def open_session(database: Path, *flags: str) -> subprocess.Popen[str]:
    """A DuckDB CLI session on the warehouse, as an analyst would keep open."""
    session = subprocess.Popen(
        [str(DUCKDB_CLI), *flags, str(database)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert session.stdin is not None
    session.stdin.write(".mode csv\n.headers off\n")
    return session


def count_articles(session: subprocess.Popen[str]) -> str:
    assert session.stdin is not None and session.stdout is not None
    session.stdin.write("select count(*) from articles;\n")
    session.stdin.flush()
    return session.stdout.readline().strip()
