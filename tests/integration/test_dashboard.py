"""The dashboard: drawn in a real headless Chromium from a warehouse of the sample corpus,
with no console error and no request leaving the machine."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import duckdb
import pytest

from flows.analyst_file import NotAWarehouse
from flows.dashboard import (
    CHARTS,
    DashboardSummary,
    chart_sql,
    render_dashboard,
    write_dashboard,
)
from tests.browser import (
    PageReport,
    external_references,
    file_url,
    is_local_url,
    open_page,
    require_chromium,
    sample_warehouse,
    script_sizes,
)

CHART_STATE = """
new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done))).then(() =>
    Array.from(document.querySelectorAll('section.chart')).map(section => {
        const plot = section.querySelector('.js-plotly-plot');
        const data = plot && Array.isArray(plot.data) ? plot.data : [];
        return {
            name: section.id,
            main_svgs: plot ? plot.querySelectorAll('svg.main-svg').length : 0,
            drawn_traces: plot ? plot.querySelectorAll('g.trace').length : 0,
            drawn_points: plot ? plot.querySelectorAll('g.trace g.point').length : 0,
            traces: data.length,
            points: data.reduce((n, trace) => n + (trace.x ? trace.x.length : 0), 0),
        };
    }))
"""
"""Per chart, what plotly drew (from the DOM after its scripts ran) and the data it was
given: a chart is drawn when every trace and every point of its data is in the SVG."""


@pytest.fixture(scope="module")
def database(prefect_server: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return sample_warehouse(tmp_path_factory.mktemp("dashboard-warehouse"))


@pytest.fixture(scope="module")
def dashboard(database: Path, tmp_path_factory: pytest.TempPathFactory) -> DashboardSummary:
    return write_dashboard(database, tmp_path_factory.mktemp("dashboard") / "dashboard.html")


def chart_report(page: Path) -> PageReport:
    require_chromium()
    return open_page(file_url(page), CHART_STATE)


@pytest.mark.slow
def test_every_chart_is_drawn_without_errors_or_network(dashboard: DashboardSummary) -> None:
    report = chart_report(dashboard.path)
    assert report.errors == []
    assert [chart["name"] for chart in report.value] == [chart.name for chart in CHARTS]
    for chart in report.value:
        assert chart["main_svgs"] >= 1, chart
        assert chart["traces"] >= 1 and chart["points"] >= 1, chart
        assert chart["drawn_traces"] == chart["traces"], chart
        assert chart["drawn_points"] == chart["points"], chart
    assert [url for url in report.requested_urls if not is_local_url(url)] == []


@pytest.mark.slow
def test_charts_show_the_rows_of_their_queries(dashboard: DashboardSummary, database: Path) -> None:
    """Each chart's x values are its query's rows (a bar per row and series)."""
    report = chart_report(dashboard.path)
    with duckdb.connect(str(database), read_only=True) as con:
        rows = {chart.name: con.execute(chart_sql(chart.name)).fetchall() for chart in CHARTS}
    series = {"articles_per_subject": 2, "changes_per_run": 4}
    for chart in report.value:
        assert chart["points"] == len(rows[chart["name"]]) * series.get(chart["name"], 1)


@pytest.mark.slow
def test_the_check_fails_on_an_undrawn_chart_and_a_console_error(
    dashboard: DashboardSummary, tmp_path: Path
) -> None:
    """The browser check itself: a plotting call that throws and a console error are seen."""
    page = dashboard.path.read_text(encoding="utf-8")
    broken, replaced = re.subn(
        r'Plotly\.newPlot\((\s*"chart-link_health")', r"Plotly.nope(\1", page
    )
    assert replaced == 1
    broken = broken.replace("</body>", '<script>console.error("sabotaged")</script></body>')
    (tmp_path / "broken.html").write_text(broken, encoding="utf-8")
    report = chart_report(tmp_path / "broken.html")
    (link_health,) = [chart for chart in report.value if chart["name"] == "link_health"]
    assert link_health["drawn_points"] == 0
    assert any("Plotly.nope is not a function" in error for error in report.errors), report.errors
    assert "console.error: sabotaged" in report.errors


@pytest.mark.slow
def test_the_page_is_self_contained(dashboard: DashboardSummary) -> None:
    """No script, style or image from elsewhere, and plotly.js once for all charts."""
    page = dashboard.path.read_text(encoding="utf-8")
    assert external_references(page) == []
    sizes = script_sizes(page)
    assert sum(1 for size in sizes if size > 1_000_000) == 1
    assert len(sizes) == 1 + len(CHARTS)
    assert dashboard.size_bytes == dashboard.path.stat().st_size
    assert 1 <= len(dashboard.render().splitlines()) <= 3


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no warehouse at"),
        (b"not a database", "cannot open"),
        (b"", "is not a quicktakes warehouse"),
    ],
    ids=["missing", "not-duckdb", "empty-duckdb"],
)
def test_a_file_that_is_not_a_warehouse_is_one_line(
    tmp_path: Path, content: bytes | None, message: str
) -> None:
    database = tmp_path / "quicktakes.duckdb"
    if content == b"":
        duckdb.connect(str(database)).close()
    elif content is not None:
        database.write_bytes(content)
    with pytest.raises(NotAWarehouse) as refused:
        write_dashboard(database, tmp_path / "out" / "dashboard.html")
    assert message in str(refused.value)
    assert "\n" not in str(refused.value)
    assert not (tmp_path / "out").exists()


def test_a_chart_without_rows_says_so() -> None:
    data: dict[str, list[tuple[object, ...]]] = {chart.name: [] for chart in CHARTS}
    page = render_dashboard(Path("wh.duckdb"), data, [("articles", 0)], dt.datetime(2026, 1, 1))
    assert page.count("No rows: nothing to chart.") == len(CHARTS)
    assert "Plotly.newPlot(" not in page.split("</script>", 1)[1]
