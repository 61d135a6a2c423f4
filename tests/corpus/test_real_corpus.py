"""A full run over the real published corpus, checked against independently derived figures.

The expected figures come from plain regular expressions over the raw files and from
markdown-it-py's HTML rendering, never from the pipeline's own code.
"""

from __future__ import annotations

import re
import shutil
from collections import Counter, defaultdict
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest
from markdown_it import MarkdownIt

from flows.etl import RunSummary, quicktakes_etl
from tests.conftest import CHECK_NAMES, warehouse_rows

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_server")]

ID_LINE = re.compile(r"^id: (-?\d+)\r?$", re.MULTILINE)
SUBJECT_LINE = re.compile(r"^subject: (.+?)\r?$", re.MULTILINE)
ANSWER_LINE = re.compile(r"^answer:", re.MULTILINE)


@dataclass(frozen=True)
class CorpusFacts:
    files: list[str]
    ids_by_file: dict[str, int]
    subject_spellings: dict[str, Counter[str]]


def derive_facts(root: Path) -> CorpusFacts:
    """What the raw files say, read with regular expressions only."""
    files = sorted(p.relative_to(root).as_posix() for p in root.rglob("*.md"))
    ids_by_file: dict[str, int] = {}
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for path in files:
        text = (root / path).read_text("utf-8")
        frontmatter = text.split("\n---", 1)[0]
        id_match = ID_LINE.search(frontmatter)
        if id_match and ANSWER_LINE.search(frontmatter):
            ids_by_file[path] = int(id_match.group(1))
        subject = SUBJECT_LINE.search(frontmatter)
        if subject:
            spellings[path.split("/")[-2]][subject.group(1)] += 1
    return CorpusFacts(files, ids_by_file, dict(spellings))


class TopLevelListNumbers(HTMLParser):
    """The numbers of the <li> items of top-level <ol> lists in rendered HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.numbers: list[int] = []
        self.next_number = 1

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "ol" and not self.stack:
            self.next_number = int(dict(attrs).get("start") or 1)
        if tag == "li" and self.stack == ["ol"]:
            self.numbers.append(self.next_number)
            self.next_number += 1
        if tag in ("ol", "ul", "li", "blockquote"):
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("ol", "ul", "li", "blockquote") and self.stack and self.stack[-1] == tag:
            self.stack.pop()


def commonmark_list_numbers(markdown: str, renderer: MarkdownIt) -> list[int]:
    parser = TopLevelListNumbers()
    parser.feed(renderer.render(markdown))
    parser.close()
    return parser.numbers


@pytest.fixture(scope="module")
def corpus(real_corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This module's own copy of the real corpus: the rerun test edits it."""
    target = tmp_path_factory.mktemp("real-corpus-copy") / "corpus"
    shutil.copytree(real_corpus, target)
    return target


@pytest.fixture(scope="module")
def facts(corpus: Path) -> CorpusFacts:
    return derive_facts(corpus)


@pytest.fixture(scope="module")
def run(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> RunSummary:
    warehouse = tmp_path_factory.mktemp("real-warehouse")
    return quicktakes_etl(source=str(corpus), warehouse=str(warehouse))


@pytest.fixture(scope="module")
def con(run: RunSummary) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(run.database_path, read_only=True)


def test_every_file_is_accounted_for(
    facts: CorpusFacts, run: RunSummary, con: duckdb.DuckDBPyConnection
) -> None:
    assert run.files_seen == len(facts.files)
    listed = con.execute("select source_path from etl.source_files order by 1").fetchall()
    assert [path for (path,) in listed] == facts.files
    loaded = con.execute(
        "select source_path, article_id from etl.source_files where status = 'loaded' order by 1"
    ).fetchall()
    assert dict(loaded) == facts.ids_by_file
    assert con.execute("select count(*) from article_listings").fetchone() == (
        len(facts.ids_by_file),
    )
    rejected = con.execute("select count(*) from etl.rejected_files").fetchone()
    assert rejected == (len(facts.files) - len(facts.ids_by_file),)
    assert sorted(check.name for check in run.checks) == CHECK_NAMES
    assert [check.name for check in run.checks if not check.passed] == []


def test_one_article_per_distinct_id(facts: CorpusFacts, con: duckdb.DuckDBPyConnection) -> None:
    ids = set(facts.ids_by_file.values())
    assert con.execute("select count(*), count(distinct article_id) from articles").fetchone() == (
        len(ids),
        len(ids),
    )
    first_file: dict[int, str] = {}
    for path, article_id in sorted(facts.ids_by_file.items()):
        first_file.setdefault(article_id, path)
    assert (
        dict(con.execute("select article_id, source_path from articles").fetchall()) == first_file
    )


def test_canonical_subjects(facts: CorpusFacts, con: duckdb.DuckDBPyConnection) -> None:
    expected = {
        slug: sorted(counts.items(), key=lambda item: (-item[1], item[0]))[0][0]
        for slug, counts in facts.subject_spellings.items()
    }
    assert dict(con.execute("select subject_slug, subject from subjects").fetchall()) == expected
    assert con.execute(
        "select count(*) from article_listings l join subjects s using (subject_slug) "
        "where l.subject != s.subject"
    ).fetchone() == (0,)


def test_points_agree_with_commonmark_on_every_article(con: duckdb.DuckDBPyConnection) -> None:
    renderer = MarkdownIt("commonmark")
    answers = con.execute("select article_id, answer_markdown from articles").fetchall()
    assert len(answers) > 30_000
    loaded = dict(
        con.execute(
            "select a.article_id, coalesce(list(p.list_number order by p.point_index) "
            "filter (where p.point_index is not null), []) "
            "from articles a left join answer_points p using (article_id) group by a.article_id"
        ).fetchall()
    )
    counts = dict(con.execute("select article_id, point_count from articles").fetchall())
    disagreements = []
    for article_id, markdown in answers:
        expected = commonmark_list_numbers(markdown, renderer)
        if loaded[article_id] != expected or counts[article_id] != len(expected):
            disagreements.append((article_id, expected, loaded[article_id]))
    assert disagreements == []
    assert sum(counts.values()) == con.execute("select count(*) from answer_points").fetchone()[0]  # type: ignore[index]


DUCKDB_ROW_GROUP_ROWS = 122_880
"""DuckDB's default row group size: a table's row groups but its last hold this many rows
when its rows were appended in order."""


def test_full_load_writes_whole_row_groups(con: duckdb.DuckDBPyConnection) -> None:
    """A part-filled row group before a table's last is one a later checkpoint would
    rewrite, with its neighbours, to merge it: the full load must leave none."""
    tables = [
        name
        for (name,) in con.execute(
            "select schema_name || '.' || table_name from duckdb_tables() "
            "where database_name = current_database()"
        ).fetchall()
    ]
    part_filled = {}
    for table in tables:
        counts = [
            count
            for (count,) in con.execute(
                # rows of a row group: its top-level columns' validity segments (a map's
                # or a list's children count their entries, not rows)
                "select max(count) from pragma_storage_info($table) "
                "where regexp_matches(column_path, '^\\[\\d+, 0\\]$') "
                "group by row_group_id order by row_group_id",
                {"table": table},
            ).fetchall()
        ]
        if any(count != DUCKDB_ROW_GROUP_ROWS for count in counts[:-1]):
            part_filled[table] = counts
    assert "etl.page_content_keywords" in tables
    assert part_filled == {}


def test_reruns_are_incremental(
    corpus: Path, facts: CorpusFacts, run: RunSummary, con: duckdb.DuckDBPyConnection
) -> None:
    """A rerun with nothing changed reports 0 changed and changes nothing; a rerun after
    editing every 100th file updates exactly those files and their articles."""
    warehouse = str(Path(run.database_path).parent)
    con.close()
    before = warehouse_rows(run.database_path)
    unchanged = quicktakes_etl(source=str(corpus), warehouse=warehouse)
    assert warehouse_rows(unchanged.database_path) == before

    files = sorted(p for p in corpus.rglob("*.md"))
    edited = files[::100]
    for path in edited:
        text = path.read_text("utf-8")
        path.write_text(
            text.replace("\nanswer: >-\n    ", "\nanswer: >-\n    Edited. ", 1), "utf-8"
        )
    changed = quicktakes_etl(source=str(corpus), warehouse=warehouse)
    expected_paths = sorted(p.relative_to(corpus).as_posix() for p in edited)
    with duckdb.connect(changed.database_path, read_only=True) as after:
        runs = after.execute(
            "select files_changed_count, load_mode from etl.runs order by run_no"
        ).fetchall()
        stamped = after.execute(
            "select source_path from etl.source_files where last_changed_run_id = $run order by 1",
            {"run": changed.run_id},
        ).fetchall()
        edited_articles = after.execute(
            "select article_id from articles where answer_markdown like 'Edited. %' order by 1"
        ).fetchall()
    assert runs[-2:] == [(0, "unchanged"), (len(edited), "incremental")]
    assert (unchanged.changed, unchanged.files_read) == (False, 0)
    assert [path for (path,) in stamped] == expected_paths
    first_listing: dict[int, str] = {}
    for path, article_id in sorted(facts.ids_by_file.items()):
        first_listing.setdefault(article_id, path)
    expected_articles = sorted(
        i for i, path in first_listing.items() if path in set(expected_paths)
    )
    assert [article_id for (article_id,) in edited_articles] == expected_articles
