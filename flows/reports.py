"""The ``reports.*`` views for the command line: listed with their descriptions and
columns, filtered by column values, and written as a table, CSV, JSON, Markdown or Parquet.

The reports themselves are SQL (``sql/reports``), where analysts read them; this module
only finds, filters and writes them, on a read-only connection to the analysts' file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

FORMATS = ("table", "csv", "json", "markdown", "parquet")
SUFFIX_FORMATS = {
    ".csv": "csv",
    ".json": "json",
    ".md": "markdown",
    ".markdown": "markdown",
    ".parquet": "parquet",
}


class ReportError(Exception):
    """A report, a filter or an output the warehouse cannot give: one line for the user."""


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: str
    comment: str


@dataclass(frozen=True, slots=True)
class Report:
    name: str
    description: str
    columns: tuple[Column, ...]

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise ReportError(
            f"report {self.name} has no column {name!r}; its columns: "
            f"{', '.join(c.name for c in self.columns)}"
        )


def list_reports(con: duckdb.DuckDBPyConnection) -> list[Report]:
    """Every view of schema ``reports``, with its comment and its columns' comments."""
    views = con.execute(
        "select view_name, coalesce(comment, '') from duckdb_views() "
        "where schema_name = 'reports' and database_name = current_database() order by 1"
    ).fetchall()
    columns: dict[str, list[Column]] = {}
    for view, name, kind, comment in con.execute(
        "select table_name, column_name, data_type, coalesce(comment, '') from duckdb_columns() "
        "where schema_name = 'reports' and database_name = current_database() "
        "order by table_name, column_index"
    ).fetchall():
        columns.setdefault(view, []).append(Column(name, kind, comment))
    return [Report(name, text, tuple(columns.get(name, ()))) for name, text in views]


def find_report(con: duckdb.DuckDBPyConnection, name: str) -> Report:
    reports = list_reports(con)
    for report in reports:
        if report.name == name:
            return report
    raise ReportError(f"unknown report {name!r}; choose from: {', '.join(r.name for r in reports)}")


def parse_filters(pairs: list[str]) -> dict[str, str]:
    """``COLUMN=VALUE`` arguments as a mapping; a column given twice keeps the last value."""
    filters = {}
    for pair in pairs:
        name, equals, value = pair.partition("=")
        if not equals or not name.strip():
            raise ReportError(f"a filter is COLUMN=VALUE, got {pair!r}")
        filters[name.strip()] = value
    return filters


def read_report(
    con: duckdb.DuckDBPyConnection, report: Report, filters: dict[str, str], limit: int | None
) -> pa.Table:
    """The report's rows whose columns equal the filters' values (each value cast to its
    column's type), at most ``limit`` of them, in the report's own order."""
    where, parameters = [], {}
    for number, (name, value) in enumerate(filters.items()):
        column = report.column(name)
        where.append(f'"{column.name}" = try_cast($value{number} as {column.type})')
        parameters[f"value{number}"] = value
    # The view and column names and types come from the catalog, so quoting them is safe.
    query = f'select * from reports."{report.name}"'
    if where:
        query += " where " + " and ".join(where)
    query += " limit $limit"
    return con.execute(query, {**parameters, "limit": limit}).to_arrow_table()


def output_format(out: Path | None, chosen: str | None) -> str:
    """The format asked for, else the one ``out``'s suffix names, else a table."""
    if chosen is not None:
        if chosen == "parquet" and out is None:
            raise ReportError("parquet is binary: give a file with -o FILE")
        return chosen
    if out is None:
        return "table"
    try:
        return SUFFIX_FORMATS[out.suffix.lower()]
    except KeyError:
        raise ReportError(
            f"cannot tell the format of {out.name} from its suffix: give --format "
            f"({', '.join(f for f in FORMATS if f != 'table')})"
        ) from None


def write_rows(rows: pa.Table, fmt: str, out: Path | None, render_table: Any) -> str | None:
    """The rows in ``fmt``: written to ``out`` (whole or not at all), or returned as text
    for standard output."""
    if fmt == "parquet":
        assert out is not None
        _write_whole(out, lambda path: pq.write_table(rows, path))
        return None
    text = _text(rows, fmt, render_table)
    if out is None:
        return text
    _write_whole(out, lambda path: path.write_text(text, encoding="utf-8"))
    return None


def _text(rows: pa.Table, fmt: str, render_table: Any) -> str:
    columns = rows.column_names
    records = rows.to_pylist()
    if fmt == "json":
        return json.dumps(records, indent=2, ensure_ascii=False, default=_json_value) + "\n"
    values = [tuple(_cell(record[name]) for name in columns) for record in records]
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(values)
        return buffer.getvalue()
    if fmt == "markdown":
        return _markdown(columns, values)
    return str(render_table(columns, values)) + "\n"


def _cell(value: Any) -> Any:
    """A list or struct column's value as JSON in the text formats (csv, markdown, table),
    which a spreadsheet or a reader can take apart; Python's repr of it is neither."""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, default=_json_value)
    return value


def _markdown(columns: list[str], rows: list[tuple[Any, ...]]) -> str:
    def cell(value: Any) -> str:
        text = "" if value is None else str(value)
        return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")

    lines = [
        "| " + " | ".join(columns) + " |",
        "|" + "|".join("---" for _ in columns) + "|",
        *("| " + " | ".join(cell(value) for value in row) + " |" for row in rows),
    ]
    return "\n".join(lines) + "\n"


def _write_whole(out: Path, write: Any) -> None:
    if out.parent != Path() and not out.parent.is_dir():
        raise ReportError(f"folder not found for -o: {out.parent}")
    partial = out.with_name(f".{out.name}.tmp")
    try:
        write(partial)
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value)
