"""Hostile and odd input: every file gets its verdict, good articles are untouched."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest

from flows.etl import quicktakes_etl
from tests.conftest import FIXTURES, render_article

pytestmark = pytest.mark.usefixtures("prefect_server")

GOOD = FIXTURES / "corpus" / "learn" / "biology"
ARTICLE = render_article(article_id=900)


def alias_bomb(levels: int) -> str:
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def with_lines(text: str, lines: str) -> str:
    return text.replace("author: QuickTakes\n", f"author: QuickTakes\n{lines}")


def nested_blocks(depth: int) -> str:
    return "".join(f"{'  ' * level}k{level}:\n" for level in range(depth)) + "  " * depth + "v: 1\n"


HUGE_ANSWER = "Intro.\\n\\n" + "\\n\\n".join(
    f"{n}. **Point {n}**: " + "lorem ipsum " * 1000 for n in range(1, 901)
)

# file name -> (content, expected status, expected error_kind)
HOSTILE: dict[str, tuple[bytes, str, str | None]] = {
    "empty.md": (b"", "rejected", "no_frontmatter"),
    "no-frontmatter.md": (b"# Title\n\nJust Markdown.\n", "rejected", "no_frontmatter"),
    "unterminated.md": (b"---\nid: 901\nanswer: x\n", "rejected", "unterminated_frontmatter"),
    "yaml-unclosed-flow.md": (b"---\nid: 902\nanswer: [x\n---\n", "rejected", "yaml_error"),
    "yaml-bad-indent.md": (b"---\nid: 903\n  answer: x\n---\n", "rejected", "yaml_error"),
    "yaml-tab-indent.md": (b"---\nseo:\n\ttitle: x\nid: 904\n---\n", "rejected", "yaml_error"),
    "yaml-list.md": (b"---\n- id: 905\n- answer: x\n---\n", "rejected", "not_a_mapping"),
    "yaml-scalar.md": (b"---\njust a sentence\n---\n", "rejected", "not_a_mapping"),
    "yaml-empty.md": (b"---\n---\n&nbsp;\n", "rejected", "not_a_mapping"),
    "missing-id.md": (ARTICLE.replace("id: 900\n", "").encode(), "rejected", "missing_field"),
    "id-not-integer.md": (
        ARTICLE.replace("id: 900", "id: nine").encode(),
        "rejected",
        "invalid_field",
    ),
    "id-float.md": (ARTICLE.replace("id: 900", "id: 900.5").encode(), "rejected", "invalid_field"),
    "id-too-big.md": (
        ARTICLE.replace("id: 900", "id: 99999999999999999999").encode(),
        "rejected",
        "invalid_field",
    ),
    "missing-answer.md": (
        render_article(article_id=906).replace("answer: >-\n", "answer_was: >-\n").encode(),
        "rejected",
        "missing_field",
    ),
    "answer-is-list.md": (
        b"---\nid: 907\nanswer:\n  - 1. one\n  - 2. two\n---\n",
        "rejected",
        "invalid_field",
    ),
    "invalid-utf8.md": (
        ARTICLE.replace("What is it?", "Qu\xe9?").encode("latin-1"),
        "rejected",
        "not_utf8",
    ),
    "binary.md": (bytes(range(256)) * 64, "rejected", "not_utf8"),
    "nul-in-yaml.md": (b"---\nid: 908\nanswer: a\x00b\n---\n", "rejected", "yaml_error"),
    "python-object-tag.md": (
        b"---\nid: 909\nanswer: !!python/object/apply:os.system ['touch /tmp/pwned']\n---\n",
        "rejected",
        "yaml_error",
    ),
    "unknown-tag.md": (b"---\nid: 910\nanswer: !Ref secret\n---\n", "rejected", "yaml_error"),
    "bad-timestamp.md": (
        ARTICLE.replace("date: 2024-11-23", "date: 2024-13-45").encode(),
        "rejected",
        "yaml_error",
    ),
    "alias-bomb.md": (
        with_lines(render_article(article_id=911), alias_bomb(9)).encode(),
        "rejected",
        "too_complex",
    ),
    "deep-flow-nesting.md": (
        with_lines(
            render_article(article_id=912), "deep: " + "[" * 5000 + "]" * 5000 + "\n"
        ).encode(),
        "rejected",
        "yaml_error",
    ),
    "deep-block-nesting.md": (
        with_lines(render_article(article_id=913), nested_blocks(200)).encode(),
        "rejected",
        "too_complex",
    ),
    "huge-answer.md": (render_article(article_id=914, answer=HUGE_ANSWER).encode(), "loaded", None),
    "crlf.md": (render_article(article_id=915).replace("\n", "\r\n").encode(), "loaded", None),
    "utf8-bom.md": (b"\xef\xbb\xbf" + render_article(article_id=916).encode(), "loaded", None),
    "unknown-keys.md": (
        with_lines(render_article(article_id=917), "reviewer: Ann\nflags: [a, b]\n").encode(),
        "loaded",
        None,
    ),
    "sql-metacharacters.md": (
        render_article(
            article_id=918, answer="x'); DROP TABLE articles; -- \\\\' \\\" ; select 1"
        ).encode(),
        "loaded",
        None,
    ),
    "yaml11-words.md": (
        with_lines(render_article(article_id=919), "no_index: no\n").encode(),
        "loaded",
        None,
    ),
    "duplicate-key.md": (
        with_lines(render_article(article_id=920), "title: Second title wins\n").encode(),
        "loaded",
        None,
    ),
    "conflict-a.md": (
        render_article(article_id=921, answer="First text.").encode(),
        "loaded",
        None,
    ),
    "conflict-b.md": (
        render_article(article_id=921, answer="Other text.").encode(),
        "loaded",
        None,
    ),
}
IGNORED = {"notes.txt": b"not an article", "image.png": b"\x89PNG\r\n\x1a\n\x00\x00"}
BROKEN_LINK = "broken-link.md"
"""An article path that is a symlink to nothing: found by the walk, unreadable."""


def write_tree(root: Path) -> None:
    """The good fixture articles plus the hostile set, non-article files and a symlink loop."""
    shutil.copytree(GOOD, root / "learn" / "biology")
    hostile = root / "learn" / "hostile"
    hostile.mkdir(parents=True)
    for name, (content, _status, _kind) in HOSTILE.items():
        (hostile / name).write_bytes(content)
    for name, content in IGNORED.items():
        (hostile / name).write_bytes(content)
    os.symlink("..", hostile / "loop")
    os.symlink(root / "gone" / "article.md", hostile / BROKEN_LINK)


def rows(database: Path, query: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(query).fetchall()


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(database after good + hostile files, database after the good files alone)."""
    root = tmp_path_factory.mktemp("hostile")
    write_tree(root / "source")
    quicktakes_etl(source=str(root / "source"), warehouse=str(root / "wh"))
    shutil.copytree(GOOD, root / "good-only" / "learn" / "biology")
    quicktakes_etl(source=str(root / "good-only"), warehouse=str(root / "wh-good"))
    return root / "wh" / "quicktakes.duckdb", root / "wh-good" / "quicktakes.duckdb"


def test_hostile_set_is_large_enough() -> None:
    assert len(HOSTILE) >= 25


def test_every_file_gets_its_verdict(loaded: tuple[Path, Path]) -> None:
    database, _ = loaded
    verdicts = rows(
        database,
        "select f.source_path, f.status, r.error_kind from etl.source_files f "
        "left join etl.rejected_files r using (source_path) "
        "where f.source_path like 'learn/hostile/%' order by 1",
    )
    expected = sorted(
        [(f"learn/hostile/{name}", status, kind) for name, (_, status, kind) in HOSTILE.items()]
        + [(f"learn/hostile/{BROKEN_LINK}", "rejected", "read_error")]
    )
    assert verdicts == expected


def test_rejections_say_what_and_where(loaded: tuple[Path, Path]) -> None:
    database, _ = loaded
    messages = dict(rows(database, "select source_path, error_message from etl.rejected_files"))
    assert messages["learn/hostile/yaml-unclosed-flow.md"].endswith("at line 4, column 1")
    latin1 = HOSTILE["invalid-utf8.md"][0]
    offset = latin1.index(b"\xe9")
    line = latin1[:offset].count(b"\n") + 1
    assert messages["learn/hostile/invalid-utf8.md"] == (
        f"invalid UTF-8 at byte {offset} (line {line})"
    )
    assert "10,000 values" in messages["learn/hostile/alias-bomb.md"]
    date_line = ARTICLE[: ARTICLE.index("\ndate: ") + 1].count("\n") + 1
    assert messages["learn/hostile/bad-timestamp.md"] == (
        f"YAML value cannot be read at line {date_line}, column 7: month must be in 1..12"
    )
    assert messages[f"learn/hostile/{BROKEN_LINK}"] == (
        "cannot read file: No such file or directory"
    )
    assert not Path("/tmp/pwned").exists()


def test_run_succeeds_and_reports_the_conflict(loaded: tuple[Path, Path]) -> None:
    database, _ = loaded
    assert rows(database, "select status from etl.runs") == [("succeeded",)]
    assert rows(
        database,
        "select check_name, severity, failing_row_count from etl.check_results "
        "where failing_row_count > 0",
    ) == [("article_conflicts", "warn", 1)]
    assert rows(database, "select source_path from articles where article_id = 921") == [
        ("learn/hostile/conflict-a.md",)
    ]


def test_odd_but_valid_files_load_intact(loaded: tuple[Path, Path]) -> None:
    database, _ = loaded
    assert rows(
        database,
        "select article_id, point_count, length(answer_markdown) > 10000000 from articles "
        "where article_id = 914",
    ) == [(914, 900, True)]
    assert rows(database, "select answer_markdown from articles where article_id = 918") == [
        ("x'); DROP TABLE articles; -- \\\\' \\\" ; select 1",)
    ]
    assert rows(
        database, "select extra->>'reviewer', is_no_index from articles where article_id = 917"
    ) == [("Ann", False)]
    assert rows(
        database,
        "select title, is_no_index from articles where article_id in (919, 920) order by 1 desc",
    ) == [
        ("What is it?", False),
        ("Second title wins", False),
    ]
    crlf, bom = (
        rows(database, f"select answer_markdown from articles where article_id = {i}")
        for i in (915, 916)
    )
    assert (
        crlf == bom == rows(database, "select answer_markdown from articles where article_id = 917")
    )


def test_bad_files_change_nothing_else(loaded: tuple[Path, Path]) -> None:
    database, good_only = loaded
    for table, stamp in (
        ("articles", " exclude (version_valid_from)"),
        ("answer_points", ""),
        ("article_keywords", ""),
        ("related_articles", ""),
    ):
        query = f"select *{stamp} from {table} where article_id in (501, 502) order by all"
        assert rows(database, query) == rows(good_only, query), table
