"""The dashboard: one self-contained HTML page of charts over the analysts' warehouse, with
plotly.js inlined once, so that it opens from file:// or a mail attachment with no network.

Each chart's rows come from one query of ``sql/dashboard/<name>.sql``; the figures are
built here from those rows."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from flows.analyst_file import escape, open_readonly
from flows.sqlfiles import read_sql

Rows = list[tuple[Any, ...]]
_OVER_LIMIT = "#dc2626"
_WITHIN_LIMIT = "#16a34a"
_LINK_COLOURS = {"ok": "#16a34a", "moved": "#d97706", "dead": "#dc2626"}
_PLOT_CONFIG = {"displaylogo": False, "responsive": True}


@dataclass(frozen=True, slots=True)
class Chart:
    """A chart: its query file (``sql/dashboard/<name>.sql``), title, what it tells the
    reader, and how its rows become a figure."""

    name: str
    title: str
    caption: str
    figure: Callable[[Rows], go.Figure]


@dataclass(frozen=True, slots=True)
class DashboardSummary:
    """What ``write_dashboard`` wrote, for the operator."""

    path: Path
    chart_count: int
    size_bytes: int
    seconds: float

    def render(self) -> str:
        return (
            f"Dashboard: {self.path}\n"
            f"{self.chart_count} charts, {self.size_bytes / 1024 / 1024:,.1f} MiB "
            f"(plotly.js inlined), written in {self.seconds:.1f} s"
        )


def _articles_per_subject(rows: Rows) -> go.Figure:
    subjects = [row[0] for row in rows]
    return go.Figure(
        [
            go.Bar(name="articles", x=subjects, y=[row[1] for row in rows]),
            go.Bar(name="pages (listings)", x=subjects, y=[row[2] for row in rows]),
        ],
        layout={"barmode": "group", "xaxis": {"tickangle": -40}},
    )


def _publishing_per_month(rows: Rows) -> go.Figure:
    return go.Figure(
        go.Bar(x=[row[0].isoformat() for row in rows], y=[row[1] for row in rows]),
        layout={"xaxis": {"type": "category", "title": "month"}, "yaxis": {"title": "articles"}},
    )


def _points_distribution(rows: Rows) -> go.Figure:
    return go.Figure(
        go.Bar(x=[row[0] for row in rows], y=[row[1] for row in rows]),
        layout={"xaxis": {"title": "numbered points"}, "yaxis": {"title": "articles"}},
    )


def _seo_description_length(rows: Rows) -> go.Figure:
    return go.Figure(
        go.Bar(
            x=[row[1] for row in rows],
            y=[row[3] for row in rows],
            marker={"color": [_OVER_LIMIT if row[2] else _WITHIN_LIMIT for row in rows]},
        ),
        layout={
            "xaxis": {"type": "category", "title": "meta description length (characters)"},
            "yaxis": {"title": "pages"},
        },
    )


def _seo_duplicate_titles(rows: Rows) -> go.Figure:
    return go.Figure(
        go.Bar(
            x=[row[1] for row in reversed(rows)],
            y=[row[0] for row in reversed(rows)],
            orientation="h",
        ),
        layout={"xaxis": {"title": "pages sharing the title"}, "margin": {"l": 260}},
    )


def _link_health(rows: Rows) -> go.Figure:
    return go.Figure(
        go.Bar(
            x=[row[0] for row in rows],
            y=[row[1] for row in rows],
            marker={"color": [_LINK_COLOURS.get(row[0], "#64748b") for row in rows]},
            text=[f"{row[1]:,}" for row in rows],
        ),
        layout={"yaxis": {"title": "related links", "type": "log"}},
    )


def _changes_per_run(rows: Rows) -> go.Figure:
    runs = [f"#{row[0]}" for row in rows]
    series = ("articles added", "articles changed", "articles deleted", "files rejected")
    return go.Figure(
        [
            go.Bar(name=name, x=runs, y=[row[2 + i] for row in rows])
            for i, name in enumerate(series)
        ],
        layout={"barmode": "stack", "xaxis": {"type": "category", "title": "run"}},
    )


CHARTS = (
    Chart(
        "articles_per_subject",
        "Articles per subject",
        "Articles by their canonical subject, and pages by the subject they are listed "
        "under (an article can be listed under several).",
        _articles_per_subject,
    ),
    Chart(
        "publishing_per_month",
        "Publishing per month",
        "Articles by the month of their publication date.",
        _publishing_per_month,
    ),
    Chart(
        "points_distribution",
        "Answer points per article",
        "How many articles have each number of numbered points in their answer.",
        _points_distribution,
    ),
    Chart(
        "seo_description_length",
        "SEO: meta description length",
        "Pages by meta description length; red buckets are over the 160 characters search "
        "engines show.",
        _seo_description_length,
    ),
    Chart(
        "seo_duplicate_titles",
        "SEO: duplicate titles",
        "The SEO titles most shared between pages (each page should have its own).",
        _seo_duplicate_titles,
    ),
    Chart(
        "link_health",
        "Link health",
        "Related-article links of current pages: ok, moved (the id is gone, the URL still "
        "works) or dead. Log scale.",
        _link_health,
    ),
    Chart(
        "changes_per_run",
        "Changes per run",
        "Articles added, changed and deleted and files newly rejected, run by run.",
        _changes_per_run,
    ),
)


def chart_sql(name: str) -> str:
    return read_sql("dashboard", name)


def write_dashboard(database: Path, out: Path) -> DashboardSummary:
    """Write the page to ``out`` from the warehouse file, opened read-only: one query per
    chart. Charts with no rows say so instead of drawing empty axes."""
    started = time.perf_counter()
    with open_readonly(database) as con:
        data = {chart.name: _query(con, chart.name) for chart in CHARTS}
        totals = _totals(con)
    page = render_dashboard(database, data, totals, dt.datetime.now(dt.UTC))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    return DashboardSummary(
        path=out,
        chart_count=len(CHARTS),
        size_bytes=out.stat().st_size,
        seconds=time.perf_counter() - started,
    )


def _query(con: duckdb.DuckDBPyConnection, name: str) -> Rows:
    return con.execute(chart_sql(name)).fetchall()


def _totals(con: duckdb.DuckDBPyConnection) -> list[tuple[str, int]]:
    row = con.execute(
        "select (select count(*) from articles), (select count(*) from article_listings), "
        "(select count(*) from etl.runs)"
    ).fetchone()
    assert row is not None
    return list(zip(("articles", "pages", "runs"), row, strict=True))


def render_dashboard(
    database: Path,
    data: dict[str, Rows],
    totals: Sequence[tuple[str, int]],
    generated_at: dt.datetime,
) -> str:
    """The page: plotly.js once in the head, then each chart's div and its plotting call."""
    sections = "\n".join(_render_chart(chart, data[chart.name]) for chart in CHARTS)
    figures = " · ".join(f"{count:,} {label}" for label, count in totals)
    return "\n".join(
        [
            "<!doctype html>",
            '<html lang="en"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            "<title>quicktakes warehouse: dashboard</title>",
            f"<style>{_CSS}</style>",
            f'<script type="text/javascript">{get_plotlyjs()}</script>',
            "</head><body>",
            "<h1>quicktakes warehouse: dashboard</h1>",
            f'<p class="meta">{escape(figures)}. From <code>{escape(database)}</code>, '
            f"generated {escape(generated_at.strftime('%Y-%m-%d %H:%M UTC'))}.</p>",
            f'<div class="grid">{sections}</div>',
            "</body></html>",
        ]
    )


def _render_chart(chart: Chart, rows: Rows) -> str:
    if rows:
        body = str(
            chart.figure(rows)
            .update_layout(margin={"t": 20, "b": 80}, height=380, template="plotly_white")
            .to_html(
                full_html=False,
                include_plotlyjs=False,
                div_id=f"chart-{chart.name}",
                config=_PLOT_CONFIG,
            )
        )
    else:
        body = '<p class="empty">No rows: nothing to chart.</p>'
    return (
        f'<section class="chart" id="{escape(chart.name)}" data-rows="{len(rows)}">'
        f"<h2>{escape(chart.title)}</h2><p class=caption>{escape(chart.caption)}</p>{body}"
        f"<details><summary>SQL</summary><pre>{escape(chart_sql(chart.name))}</pre>"
        "</details></section>"
    )


_CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:1.5rem auto;max-width:90rem;padding:0 1rem;
color:#1d2330}
h1{font-size:1.6rem}h2{font-size:1.1rem;margin:.2rem 0}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(36rem,1fr));gap:1rem}
.chart{border:1px solid #e1e4ea;border-radius:6px;padding:.6rem .8rem;min-width:0;overflow:hidden}
.caption,.meta{color:#3a4354}.empty{color:#5b6474;font-style:italic}
pre{background:#f6f8fa;padding:.6rem;overflow:auto;font-size:12px}
"""
