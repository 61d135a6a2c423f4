"""The data dictionary: a static HTML page, opened offline from file://, describing every
table, view and macro of the analysts' warehouse with its columns, comments, row counts, a
value profile of each column, each view's SQL and a diagram of the data model."""

from __future__ import annotations

import datetime as dt
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from flows.analyst_file import escape, open_readonly, quote_identifier
from flows.docs_diagram import render_data_model

SCHEMA_ORDER = ("main", "reports", "etl")
"""The order analysts read schemas in: their tables, then reports, then bookkeeping."""
_TOP_K = 3
_SHOWN_CHARS = 60
_MOSTLY_DISTINCT = 0.9
"""A column whose values are this distinct has no telling top values: its sample is
labelled as examples, not as the most common values."""
_NUMERIC = re.compile(
    r"^(U?(TINY|SMALL|BIG|HUGE)?INT(EGER)?|FLOAT|DOUBLE|REAL|DECIMAL.*|NUMERIC.*)$"
)
_TEMPORAL = re.compile(r"^(DATE|TIME.*|TIMESTAMP.*|INTERVAL)$")
_TEXT = ("VARCHAR", "JSON", "BOOLEAN", "UUID")


@dataclass(frozen=True, slots=True)
class ColumnProfile:
    """One column as documented: its catalog facts and what its values look like."""

    name: str
    data_type: str
    comment: str | None
    null_share: float | None
    distinct_count: int | None
    top_values: tuple[str, ...]
    value_range: tuple[str, str] | None
    mostly_distinct: bool


@dataclass(frozen=True, slots=True)
class RelationDoc:
    """A table or view: ``sql`` is the view's definition, None for a table."""

    schema: str
    name: str
    kind: str
    comment: str | None
    sql: str | None
    row_count: int
    columns: tuple[ColumnProfile, ...]

    @property
    def anchor(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True, slots=True)
class MacroDoc:
    schema: str
    name: str
    parameters: tuple[str, ...]
    definition: str


@dataclass(frozen=True, slots=True)
class DocsSummary:
    """What ``write_docs`` wrote, for the operator."""

    index_path: Path
    table_count: int
    view_count: int
    column_count: int
    macro_count: int
    seconds: float
    size_bytes: int

    def render(self) -> str:
        return (
            f"Data dictionary: {self.index_path}\n"
            f"{self.table_count} tables, {self.view_count} views, {self.macro_count} macros, "
            f"{self.column_count} columns profiled in {self.seconds:.1f} s "
            f"({self.size_bytes / 1024:,.0f} KiB)"
        )


def write_docs(database: Path, out_dir: Path) -> DocsSummary:
    """Write ``out_dir/index.html`` from the warehouse file, opened read-only. Each relation
    is profiled with one aggregate query, so the time grows with relations, not columns."""
    started = time.perf_counter()
    with open_readonly(database) as con:
        relations, macros = document_warehouse(con)
    page = render_docs(database, relations, macros, dt.datetime.now(dt.UTC))
    out_dir.mkdir(parents=True, exist_ok=True)
    index = out_dir / "index.html"
    index.write_text(page, encoding="utf-8")
    return DocsSummary(
        index_path=index,
        table_count=sum(1 for r in relations if r.kind == "table"),
        view_count=sum(1 for r in relations if r.kind == "view"),
        column_count=sum(len(r.columns) for r in relations),
        macro_count=len(macros),
        seconds=time.perf_counter() - started,
        size_bytes=index.stat().st_size,
    )


def document_warehouse(
    con: duckdb.DuckDBPyConnection,
) -> tuple[list[RelationDoc], list[MacroDoc]]:
    """Every table and view of the connection's database, profiled, and every macro, in
    the order the page shows them."""
    relations = [_document_relation(con, *row) for row in _list_relations(con)]
    return relations, _list_macros(con)


def _list_relations(
    con: duckdb.DuckDBPyConnection,
) -> list[tuple[str, str, str, str | None, str | None]]:
    rows = con.execute(
        """
        select schema_name, table_name, 'table', comment, null
        from duckdb_tables()
        where database_name = current_database() and not temporary
        union all
        select schema_name, view_name, 'view', comment, sql
        from duckdb_views()
        where database_name = current_database() and not internal and not temporary
        """
    ).fetchall()
    return sorted(rows, key=lambda row: (_schema_rank(row[0]), row[0], row[1]))


def _schema_rank(schema: str) -> int:
    return SCHEMA_ORDER.index(schema) if schema in SCHEMA_ORDER else len(SCHEMA_ORDER)


def _list_macros(con: duckdb.DuckDBPyConnection) -> list[MacroDoc]:
    rows = con.execute(
        """
        select schema_name, function_name, parameters, macro_definition
        from duckdb_functions()
        where database_name = current_database() and not internal
            and function_type in ('macro', 'table_macro')
        """
    ).fetchall()
    macros = [MacroDoc(schema, name, tuple(params), body) for schema, name, params, body in rows]
    return sorted(macros, key=lambda m: (_schema_rank(m.schema), m.schema, m.name))


def _document_relation(
    con: duckdb.DuckDBPyConnection,
    schema: str,
    name: str,
    kind: str,
    comment: str | None,
    sql: str | None,
) -> RelationDoc:
    columns = con.execute(
        """
        select column_name, data_type, comment
        from duckdb_columns()
        where database_name = current_database() and schema_name = $schema
            and table_name = $name
        order by column_index
        """,
        {"schema": schema, "name": name},
    ).fetchall()
    row_count, profiles = _profile(con, schema, name, columns)
    return RelationDoc(schema, name, kind, comment, sql, row_count, profiles)


def _profile(
    con: duckdb.DuckDBPyConnection,
    schema: str,
    name: str,
    columns: list[tuple[str, str, str | None]],
) -> tuple[int, tuple[ColumnProfile, ...]]:
    """Every column's profile from one aggregate query over the relation."""
    selects = ["count(*)"]
    for column, data_type, _ in columns:
        selects.extend(profile_expressions(quote_identifier(column), data_type))
    relation = f"{quote_identifier(schema)}.{quote_identifier(name)}"
    row = con.execute(f"select {', '.join(selects)} from {relation}").fetchone()
    assert row is not None
    row_count = int(row[0])
    profiles = tuple(
        _column_profile(column, data_type, comment, row_count, row[1 + 5 * i : 6 + 5 * i])
        for i, (column, data_type, comment) in enumerate(columns)
    )
    return row_count, profiles


def profile_expressions(column: str, data_type: str) -> list[str]:
    """Five aggregates per column, in a fixed order: non-null count, approximate distinct
    count, minimum, maximum and the most common values (shortened). Aggregates that do not
    apply to the type are null, so each column takes the same five slots."""
    kind = value_kind(data_type)
    as_text = f"{column}::varchar"
    distinct = f"approx_count_distinct({column if kind != 'other' else as_text})"
    bounds = [f"min({column})::varchar", f"max({column})::varchar"]
    if kind in ("text", "other"):
        bounds = ["null", "null"]
    top = f"approx_top_k(left({as_text}, {_SHOWN_CHARS}), {_TOP_K})"
    if kind == "other":
        top = "null"
    return [f"count({column})", distinct, *bounds, top]


def value_kind(data_type: str) -> str:
    """``number``, ``time`` (both ranged), ``text`` (top values) or ``other`` (lists,
    structs, maps: counted only)."""
    if _NUMERIC.match(data_type):
        return "number"
    if _TEMPORAL.match(data_type):
        return "time"
    if data_type in _TEXT or data_type.startswith("ENUM"):
        return "text"
    return "other"


def _column_profile(
    name: str,
    data_type: str,
    comment: str | None,
    row_count: int,
    values: tuple[Any, ...],
) -> ColumnProfile:
    non_null, distinct, low, high, top = values
    distinct_count = None if distinct is None else int(distinct)
    mostly_distinct = bool(non_null) and (distinct_count or 0) >= _MOSTLY_DISTINCT * non_null
    return ColumnProfile(
        name=name,
        data_type=data_type,
        comment=comment,
        null_share=None if row_count == 0 else 1 - non_null / row_count,
        distinct_count=distinct_count,
        top_values=tuple(str(value) for value in (top or ()) if value is not None),
        value_range=None if low is None else (str(low), str(high)),
        mostly_distinct=mostly_distinct,
    )


def render_docs(
    database: Path,
    relations: list[RelationDoc],
    macros: list[MacroDoc],
    generated_at: dt.datetime,
) -> str:
    """The whole page: one file with anchors per relation, inline CSS and an inline SVG, so
    it opens from file:// with no network and can be mailed as one attachment."""
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>quicktakes warehouse: data dictionary</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>quicktakes warehouse: data dictionary</h1>",
        f'<p class="meta">From <code>{escape(database)}</code>, generated '
        f"{escape(generated_at.strftime('%Y-%m-%d %H:%M UTC'))}. Distinct counts are "
        "approximate (HyperLogLog); top values are approximate and cut to "
        f"{_SHOWN_CHARS} characters.</p>",
        _render_contents(relations, macros),
        '<h2 id="data-model">Data model</h2>',
        render_data_model([(r.schema, r.name, [c.name for c in r.columns]) for r in relations]),
        *(_render_relation(relation) for relation in relations),
        _render_macros(macros),
        "</body></html>",
    ]
    return "\n".join(parts)


def _render_contents(relations: list[RelationDoc], macros: list[MacroDoc]) -> str:
    items = ['<nav><h2>Contents</h2><ul><li><a href="#data-model">Data model</a></li>']
    schemas = sorted({r.schema for r in relations}, key=lambda s: (_schema_rank(s), s))
    for schema in schemas:
        links = ", ".join(
            f'<a href="#{escape(r.anchor)}">{escape(r.name)}</a>'
            for r in relations
            if r.schema == schema
        )
        items.append(f"<li><b>{escape(schema)}</b>: {links}</li>")
    if macros:
        items.append('<li><a href="#macros">Macros</a></li>')
    items.append("</ul></nav>")
    return "\n".join(items)


def _render_relation(relation: RelationDoc) -> str:
    rows = "\n".join(_render_column(column) for column in relation.columns)
    sql = (
        f"<details><summary>SQL</summary><pre>{escape(relation.sql.strip())}</pre></details>"
        if relation.sql
        else ""
    )
    return (
        f'<section class="relation" id="{escape(relation.anchor)}">'
        f"<h2>{escape(relation.anchor)} <small>{relation.kind}, "
        f"{relation.row_count:,} rows</small></h2>"
        f'<p class="comment">{escape(relation.comment or "(no description)")}</p>'
        "<table><thead><tr><th>column</th><th>type</th><th>description</th>"
        "<th>nulls</th><th>distinct</th><th>values</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>{sql}</section>"
    )


def _render_column(column: ColumnProfile) -> str:
    nulls = "" if column.null_share is None else f"{column.null_share:.1%}"
    distinct = "" if column.distinct_count is None else f"~{column.distinct_count:,}"
    return (
        f"<tr><td><code>{escape(column.name)}</code></td><td>{escape(column.data_type)}</td>"
        f"<td>{escape(column.comment or '')}</td><td class=num>{nulls}</td>"
        f"<td class=num>{distinct}</td><td>{_render_values(column)}</td></tr>"
    )


def _render_values(column: ColumnProfile) -> str:
    shown = ", ".join(f"<code>{escape(v)}</code>" for v in column.top_values)
    if column.value_range is not None:
        low, high = column.value_range
        ranged = f"{escape(low)} … {escape(high)}"
        few = column.top_values and (column.distinct_count or 0) <= 20
        return f"{ranged}<br>top: {shown}" if few else ranged
    if not shown:
        return ""
    return f"e.g. {shown}" if column.mostly_distinct else f"top: {shown}"


def _render_macros(macros: list[MacroDoc]) -> str:
    if not macros:
        return ""
    items = "\n".join(
        f'<section class="macro" id="{escape(m.schema)}.{escape(m.name)}">'
        f"<h3>{escape(m.schema)}.{escape(m.name)}({escape(', '.join(m.parameters))})</h3>"
        f"<pre>{escape(m.definition)}</pre></section>"
        for m in macros
    )
    return f'<h2 id="macros">Macros</h2>{items}'


_CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:1.5rem auto;max-width:80rem;padding:0 1rem;
color:#1d2330}
h1{font-size:1.6rem}h2{border-bottom:1px solid #d0d5dd;padding-bottom:.2rem;margin-top:2rem}
h2 small{font-weight:normal;color:#5b6474;font-size:.8rem}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{border:1px solid #e1e4ea;padding:.25rem .4rem;vertical-align:top;text-align:left}
th{background:#f3f5f8}td.num{text-align:right;white-space:nowrap}
code{font:12px ui-monospace,monospace;background:#f3f5f8;padding:0 .2rem;border-radius:3px}
pre{background:#f6f8fa;padding:.6rem;overflow:auto;font-size:12px}
.meta,.comment{color:#3a4354}nav ul{padding-left:1.2rem}
svg.data-model{max-width:100%;height:auto;border:1px solid #e1e4ea;background:#fcfcfd}
"""
