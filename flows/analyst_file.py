"""Opening the analysts' published warehouse file read-only, for the outputs made from it
(the data dictionary, the dashboard)."""

from __future__ import annotations

import html
from pathlib import Path

import duckdb

_REQUIRED = (("main", "articles"), ("etl", "runs"))
"""Relations every published quicktakes warehouse has, whatever its schema version."""


class NotAWarehouse(Exception):
    """The database file is missing, unreadable or not a quicktakes warehouse: the message is
    one line saying which, for the command to print as it is."""


def open_readonly(database: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection, so that analysts' sessions and a run publishing a new file
    are never blocked or changed by it; refused with ``NotAWarehouse`` before any output is
    written."""
    if not database.is_file():
        raise NotAWarehouse(f"no warehouse at {database}: run 'quicktakes-etl run' first")
    try:
        con = duckdb.connect(str(database), read_only=True)
    except duckdb.Error as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise NotAWarehouse(f"cannot open {database} as a DuckDB database: {first}") from None
    missing = [f"{schema}.{name}" for schema, name in _REQUIRED if not _exists(con, schema, name)]
    if missing:
        con.close()
        raise NotAWarehouse(
            f"{database} is not a quicktakes warehouse: it has no {', '.join(missing)}"
        )
    return con


def _exists(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    row = con.execute(
        "select count(*) from duckdb_tables() where schema_name = $schema and table_name = $name",
        {"schema": schema, "name": name},
    ).fetchone()
    views = con.execute(
        "select count(*) from duckdb_views() where schema_name = $schema and view_name = $name",
        {"schema": schema, "name": name},
    ).fetchone()
    return bool((row and row[0]) or (views and views[0]))


def quote_identifier(name: str) -> str:
    """A catalog name as a SQL identifier: names come from the catalog, never from users,
    and identifiers cannot be bind parameters."""
    return '"' + name.replace('"', '""') + '"'


def escape(text: object) -> str:
    """Text for HTML element content and attribute values."""
    return html.escape(str(text), quote=True)
