"""The quicktakes-etl command: help, one-line errors, reports, and the documented surface."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from flows.cli import build_parser, main
from tests.conftest import FIXTURES, PROJECT_ROOT

CLI = Path(sys.executable).parent / "quicktakes-etl"


def subcommands() -> dict[str, list[str]]:
    """Each subcommand with its option strings, read from the real parser."""
    parser = build_parser()
    (action,) = [a for a in parser._actions if a.dest == "command"]
    choices: dict[str, object] = action.choices  # type: ignore[assignment]
    return {
        name: [o for a in sub._actions for o in a.option_strings if o not in ("-h", "--help")]  # type: ignore[attr-defined]
        for name, sub in choices.items()
    }


@pytest.mark.parametrize("command", sorted(subcommands()))
def test_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main([command, "--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert all(option in out for option in subcommands()[command])


def test_every_command_and_option_is_documented_in_the_readme() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text()
    for command, options in subcommands().items():
        assert f"quicktakes-etl {command}" in readme, command
        for option in options:
            assert option in readme, f"{command} {option}"


def error_line(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    return err.strip()


def test_missing_source_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = error_line(
        ["run", "--source", str(tmp_path / "nope"), "--warehouse", str(tmp_path)], capsys
    )
    assert line == f"quicktakes-etl: error: source folder not found: {tmp_path / 'nope'}"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.usefixtures("prefect_server")
def test_a_source_with_no_articles_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A wrong folder (no .md files in it) for a new warehouse: one line, exit 1, and no
    empty warehouse published."""
    source = tmp_path / "source"
    (source / "learn").mkdir(parents=True)
    (source / "learn" / "notes.txt").write_text("not an article")
    warehouse = tmp_path / "wh"
    assert main(["run", "--source", str(source), "--warehouse", str(warehouse)]) == 1
    err = capsys.readouterr().err
    assert err.splitlines()[-1] == (
        f"quicktakes-etl: error: run failed: no article files (*.md) under {source}: "
        "nothing to load"
    )
    assert "Traceback" not in err
    assert not (warehouse / "quicktakes.duckdb").exists()


@pytest.mark.usefixtures("prefect_server")
def test_fail_on_rejected_exits_1_and_still_publishes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The fixture corpus has 5 broken files: the run publishes, and says so, but ends
    failed, for teams whose pipelines must turn red on bad input."""
    warehouse = tmp_path / "wh"
    argv = ["run", "--source", str(FIXTURES / "corpus"), "--warehouse", str(warehouse)]
    assert main([*argv, "--fail-on-rejected"]) == 1
    err = capsys.readouterr().err
    assert err.splitlines()[-1] == (
        "quicktakes-etl: error: 5 files are rejected (etl.rejected_files) and "
        "--fail-on-rejected is set; the warehouse is published: "
        f"{warehouse / 'quicktakes.duckdb'}"
    )
    with duckdb.connect(str(warehouse / "quicktakes.duckdb"), read_only=True) as con:
        assert con.execute("select status from etl.runs").fetchall() == [("succeeded",)]
    assert main(argv) == 0


def test_source_that_is_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "article.md"
    source.write_text("x")
    line = error_line(["run", "--source", str(source), "--warehouse", str(tmp_path / "wh")], capsys)
    assert line == f"quicktakes-etl: error: source is not a folder: {source}"
    assert not (tmp_path / "wh").exists()


def test_unwritable_warehouse(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    line = error_line(["run", "--warehouse", str(blocker / "wh")], capsys)
    assert line.startswith(
        f"quicktakes-etl: error: warehouse folder is not writable: {blocker / 'wh'}"
    )


def test_warehouse_path_duckdb_cannot_open(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "wh?"
    line = error_line(["run", "--warehouse", str(target)], capsys)
    assert line == (
        "quicktakes-etl: error: warehouse folder path has a '?', which DuckDB reads as the "
        f"start of connection options: {target}"
    )
    assert not target.exists()


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("--source", "source is empty (an unset shell variable?): give a folder or a URL"),
        ("--warehouse", "warehouse is empty (an unset shell variable?): give a folder"),
    ],
)
def test_an_empty_location_is_refused_not_defaulted(
    option: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--source "$SRC"`` with SRC unset must not load the sample corpus."""
    argv = ["run", "--source", str(FIXTURES / "corpus"), "--warehouse", str(tmp_path / "wh")]
    argv[argv.index(option) + 1] = " "
    assert error_line(argv, capsys) == f"quicktakes-etl: error: {message}"
    assert not (tmp_path / "wh").exists()


def test_warehouse_path_that_is_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "wh"
    target.write_text("x")
    line = error_line(["run", "--warehouse", str(target)], capsys)
    assert line == f"quicktakes-etl: error: warehouse path is a file, not a folder: {target}"


def test_report_without_a_warehouse(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = error_line(["report", "top_keywords", "--warehouse", str(tmp_path)], capsys)
    assert "no warehouse at" in line and "run 'quicktakes-etl run' first" in line


@pytest.fixture(scope="module")
def warehouse(prefect_server: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from flows.etl import quicktakes_etl

    target = tmp_path_factory.mktemp("cli-warehouse")
    quicktakes_etl(source=str(FIXTURES / "corpus"), warehouse=str(target))
    return target


def expected_rows(warehouse: Path, view: str) -> list[tuple[object, ...]]:
    with duckdb.connect(str(warehouse / "quicktakes.duckdb"), read_only=True) as con:
        return con.execute(f"select * from reports.{view}").fetchall()


def test_report_list(
    warehouse: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUICKTAKES_WAREHOUSE", str(warehouse))
    assert main(["report"]) == 0
    lines = capsys.readouterr().out.splitlines()
    listed = [line for line in lines if not line.startswith(" ")]
    assert listed == sorted(p.stem for p in (PROJECT_ROOT / "sql" / "reports").glob("*.sql"))
    described = lines[lines.index("seo_audit") + 1]
    assert described.startswith("    Every page (article_listings) with its SEO hygiene")


def test_report_columns_are_described(warehouse: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "link_health", "--columns", "--warehouse", str(warehouse)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "  dead_count (BIGINT)" in lines
    assert lines[lines.index("  dead_count (BIGINT)") + 1].startswith(
        "      Links that lead nowhere"
    )


def test_report_filters_by_column_values(
    warehouse: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    every = expected_rows(warehouse, "seo_audit")
    biology = [row for row in every if row[2] == "Biology" and row[6] == 2]
    assert biology and len(biology) < len([row for row in every if row[6] == 2])
    where = ["--where", "subject=Biology", "--where", "keyword_count=2"]
    assert (
        main(["report", "seo_audit", *where, "--warehouse", str(warehouse), "--format", "json"])
        == 0
    )
    records = json.loads(capsys.readouterr().out)
    assert [(r["source_path"], r["keyword_count"]) for r in records] == [
        (row[0], row[6]) for row in biology
    ]


@pytest.mark.parametrize("suffix", [".csv", ".json", ".md", ".parquet"])
def test_report_writes_the_format_its_file_names(
    warehouse: Path, tmp_path: Path, suffix: str
) -> None:
    expected = expected_rows(warehouse, "link_health")
    out = tmp_path / f"link_health{suffix}"
    assert main(["report", "link_health", "--warehouse", str(warehouse), "-o", str(out)]) == 0
    if suffix == ".parquet":
        assert [tuple(r.values()) for r in pq.read_table(out).to_pylist()] == expected
    elif suffix == ".json":
        assert [tuple(r.values()) for r in json.loads(out.read_text())] == expected
    elif suffix == ".csv":
        parsed = list(csv.reader(io.StringIO(out.read_text())))
        assert parsed[1:] == [[str(value) for value in row] for row in expected]
    else:
        lines = out.read_text().splitlines()
        assert lines[0].startswith("| subject | link_count |")
        assert len(lines) == 2 + len(expected)
    assert sorted(p.name for p in tmp_path.iterdir()) == [out.name]


def test_report_refuses_a_filter_on_no_column(
    warehouse: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    line = error_line(
        ["report", "runs", "--where", "nope=1", "--warehouse", str(warehouse)], capsys
    )
    assert line.startswith("quicktakes-etl: error: report runs has no column 'nope'")


def test_report_csv_and_json_carry_every_row(
    warehouse: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = expected_rows(warehouse, "top_keywords")
    assert main(["report", "top_keywords", "--warehouse", str(warehouse), "--format", "csv"]) == 0
    parsed = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert parsed[0] == ["keyword_rank", "keyword", "keyword_normalized", "article_count"]
    assert parsed[1:] == [[str(value) for value in row] for row in expected]
    assert main(["report", "top_keywords", "--warehouse", str(warehouse), "--format", "json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert [tuple(record.values()) for record in records] == expected


def test_report_list_columns_are_json_in_csv_and_markdown(
    warehouse: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """seo_audit's problems is a list: csv and markdown give it as a JSON array."""
    argv = ["report", "seo_audit", "--warehouse", str(warehouse), "--format"]
    assert main([*argv, "json"]) == 0
    problems = [record["problems"] for record in json.loads(capsys.readouterr().out)]
    assert any(problems)
    assert main([*argv, "csv"]) == 0
    parsed = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [json.loads(row["problems"]) for row in parsed] == problems
    assert main([*argv, "markdown"]) == 0
    lines = capsys.readouterr().out.splitlines()
    column = lines[0].strip("| ").split(" | ").index("problems")
    cells = [line.strip("|").split(" | ")[column].strip() for line in lines[2:]]
    assert [json.loads(cell.replace("\\|", "|")) for cell in cells] == problems


def test_report_table_and_limit(warehouse: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "subject_summary", "--warehouse", str(warehouse), "--limit", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:2] == ["subject", "subject_slug"]
    assert lines[-1] == "(1 rows)"
    assert len(lines) == 4


def test_unknown_report(warehouse: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = error_line(
        ["report", "nope; drop table articles", "--warehouse", str(warehouse)], capsys
    )
    assert line.startswith("quicktakes-etl: error: unknown report 'nope; drop table articles'")


def test_every_readme_query_runs(warehouse: Path) -> None:
    readme = (PROJECT_ROOT / "README.md").read_text()
    queries = [
        q for block in re.findall(r"```sql\n(.*?)```", readme, re.S) for q in block.split(";")
    ]
    with duckdb.connect(str(warehouse / "quicktakes.duckdb"), read_only=True) as con:
        for query in filter(str.strip, queries):
            con.execute(query).fetchall()
    assert len(queries) > 5


def test_duckdb_cli_opens_the_warehouse_read_only(warehouse: Path) -> None:
    duckdb_cli = Path(sys.executable).parent / "duckdb"
    database = warehouse / "quicktakes.duckdb"
    done = subprocess.run(
        [
            str(duckdb_cli),
            "-readonly",
            "-csv",
            "-noheader",
            str(database),
            "-c",
            "select count(*) from articles",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert done.stdout.strip() == str(expected_rows_count(warehouse, "articles"))


def expected_rows_count(warehouse: Path, table: str) -> int:
    with duckdb.connect(str(warehouse / "quicktakes.duckdb"), read_only=True) as con:
        return int(con.execute(f"select count(*) from {table}").fetchone()[0])  # type: ignore[index]


@pytest.mark.slow
def test_run_command_on_the_sample_in_ephemeral_mode(tmp_path: Path) -> None:
    """The Quickstart path: a real process, Prefect's ephemeral server, the bundled sample."""
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect-home")}
    env.pop("PREFECT_API_URL", None)
    done = subprocess.run(
        [str(CLI), "run", "--warehouse", str(tmp_path / "wh")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    database = tmp_path / "wh" / "quicktakes.duckdb"
    assert f"Warehouse ready: {database}" in done.stdout
    hint = next(line for line in done.stdout.splitlines() if line.startswith("Open it with:"))
    assert hint.endswith(f" -readonly {database}")
    assert shutil.which(hint.split()[3], path=env.get("PATH")) is not None, hint
    sample = PROJECT_ROOT / "flows" / "sample_corpus"
    ids = {re.search(r"^id: (\d+)$", p.read_text(), re.M).group(1) for p in sample.rglob("*.md")}  # type: ignore[union-attr]
    with duckdb.connect(str(database), read_only=True) as con:
        assert con.execute("select count(*) from articles").fetchone() == (len(ids),)


def test_docs_and_dashboard_are_written_beside_the_warehouse(
    warehouse: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUICKTAKES_WAREHOUSE", str(warehouse))
    assert main(["docs"]) == 0
    assert main(["dashboard"]) == 0
    printed = capsys.readouterr().out
    assert str(warehouse / "docs" / "index.html") in printed
    assert str(warehouse / "dashboard.html") in printed
    assert "reports.seo_audit" in (warehouse / "docs" / "index.html").read_text()


def test_docs_of_a_file_that_is_no_warehouse(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    duckdb.connect(str(tmp_path / "quicktakes.duckdb")).close()
    line = error_line(["docs", "--warehouse", str(tmp_path)], capsys)
    assert line == (
        f"quicktakes-etl: error: {tmp_path / 'quicktakes.duckdb'} is not a quicktakes "
        "warehouse: it has no main.articles, etl.runs"
    )


def test_run_writes_the_dashboard_after_publishing(
    prefect_server: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    warehouse = tmp_path / "wh"
    source = ["--source", str(FIXTURES / "corpus"), "--warehouse", str(warehouse)]
    assert main(["run", *source, "--dashboard"]) == 0
    page = (warehouse / "dashboard.html").read_text()
    assert "plotly" in page and "Articles per subject" in page


HEARTBEAT_WAIT = 60.0
"""Seconds for a heartbeat the flow run sent to reach the server's event store."""
HEARTBEAT_POLL = 0.2
"""Seconds between reads of the event store while waiting for it."""


def _heartbeats(flow_run_id: str, wait: bool) -> int:
    """The flow run's heartbeat events the server holds; with ``wait``, once there is one."""
    from prefect import get_client
    from prefect.events.filters import EventFilter, EventNameFilter, EventResourceFilter

    deadline = time.monotonic() + HEARTBEAT_WAIT
    with get_client(sync_client=True) as client:
        while time.monotonic() < deadline:
            until_now = EventFilter(
                event=EventNameFilter(name=["prefect.flow-run.heartbeat"]),
                resource=EventResourceFilter(id=[f"prefect.flow-run.{flow_run_id}"]),
            )
            found = client.read_events(filter=until_now, limit=50).total
            if found or not wait:
                return found
            time.sleep(HEARTBEAT_POLL)
    pytest.fail(f"no heartbeat of flow run {flow_run_id} reached the server")


@pytest.mark.usefixtures("prefect_server")
def test_a_run_sends_heartbeats_only_when_asked(tmp_path: Path) -> None:
    """Heartbeats are for deployments' runs; a run started here sends none, as its end
    waited for the heartbeat thread's sleep, unless Prefect's setting asks for them. The
    run that asks goes second: once its heartbeat is stored, the first run's would be."""
    from prefect.settings import temporary_settings

    def flow_run_id(warehouse: Path) -> str:
        source = str(FIXTURES / "corpus")
        assert main(["run", "--source", source, "--warehouse", str(warehouse)]) == 0
        with duckdb.connect(str(warehouse / "quicktakes.duckdb"), read_only=True) as con:
            return str(con.execute("select run_id from etl.runs").fetchone()[0])  # type: ignore[index]

    quiet = flow_run_id(tmp_path / "quiet")
    with temporary_settings(updates={"flows.heartbeat_frequency": 30}):
        asked = flow_run_id(tmp_path / "asked")
    assert _heartbeats(asked, wait=True) >= 1
    assert _heartbeats(quiet, wait=False) == 0
