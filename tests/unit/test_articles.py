from __future__ import annotations

import datetime as dt
import json

import pytest

from tests.conftest import render_article
from transforms.articles import ArticleRejected, parse_article, split_frontmatter


def parse(text: str, path: str = "learn/psychology/what-is-it.md"):  # type: ignore[no-untyped-def]
    return parse_article(path, text.encode("utf-8"))


def rejection(raw: bytes) -> tuple[str, str, int | None, int | None]:
    with pytest.raises(ArticleRejected) as caught:
        parse_article("learn/x/bad.md", raw)
    error = caught.value
    return error.kind, error.message, error.line, error.column


def test_normalized_fields() -> None:
    article = parse(render_article(extra_lines="score: -1.0\n", related=2))
    assert (article.article_id, article.published_date, article.title, article.question) == (
        7,
        dt.date(2024, 11, 23),
        "What is it?",
        "What is it?",
    )
    assert (article.subject, article.subject_slug, article.url) == (
        "Psychology",
        "psychology",
        "/learn/psychology/questions/what-is-it",
    )
    assert (article.score, article.is_no_index) == (-1.0, False)
    assert article.answer_markdown == "Intro.\n\n1. **One**: first.\n2. **Two**: second.\n\nEnd."
    assert [(p.heading, p.body) for p in article.answer.points] == [
        ("One", "first."),
        ("Two", "second."),
    ]
    assert article.keywords == ("alpha", "beta")
    assert [(r.rank, r.related_article_id, r.title) for r in article.related] == [
        (1, 101, "Related 1?"),
        (2, 102, "Related 2?"),
    ]
    assert json.loads(article.extra) == {
        "_schema": "default",
        "date_format": "MMM DD, YYYY",
        "post_on_text": "Posted on",
    }


def test_missing_score_is_null_and_no_index_is_boolean() -> None:
    article = parse(render_article(extra_lines="no_index: true\n"))
    assert (article.score, article.is_no_index) == (None, True)


def test_unknown_keys_are_kept_in_extra() -> None:
    lines = "reviewer: Ann\ntags:\n  - a\n  - b\nupdated: 2025-01-02\n"
    text = render_article(extra_lines=lines).replace(
        "  page_keywords:", "  canonical: /x\n  page_keywords:"
    )
    extra = json.loads(parse(text).extra)
    assert extra["reviewer"] == "Ann"
    assert extra["tags"] == ["a", "b"]
    assert extra["updated"] == "2025-01-02"
    assert extra["seo"] == {"canonical": "/x"}


def test_real_newline_answer_equals_escaped_answer() -> None:
    escaped = parse(render_article(answer=r"Intro.\n\n1. **A**: a.\n2. **B**: b."))
    literal = parse(
        render_article(answer="|").replace(
            "answer: >-\n    |\n", "answer: |-\n    Intro.\n\n    1. **A**: a.\n    2. **B**: b.\n"
        )
    )
    assert literal.answer_markdown == escaped.answer_markdown
    assert literal.answer == escaped.answer


def test_crlf_file_parses_like_lf() -> None:
    text = render_article()
    assert parse(text.replace("\n", "\r\n")) == parse(text)


def test_rule_inside_the_answer_line_does_not_end_frontmatter() -> None:
    article = parse(render_article(answer=r"Above.\n\n---\n\n1. **A**: --- a."))
    assert article.answer_markdown == "Above.\n\n---\n\n1. **A**: --- a."
    assert article.subject == "Psychology"


def test_split_frontmatter_stops_at_first_exact_dash_line() -> None:
    assert split_frontmatter("---\na: 1\n----\nb: 2\n---\nbody\n---\n") == "a: 1\n----\nb: 2"


def test_id_written_as_quoted_digits_is_accepted() -> None:
    assert parse(render_article(article_id='"42"')).article_id == 42


@pytest.mark.parametrize(
    ("bare", "quoted"),
    [
        ("related_article1:\n  id: 27885\n", "related_article1:\n  id: '27885'\n"),
        ("score: 0.5\n", "score: '0.5'\n"),
        ("score: -3\n", "score: ' -3 '\n"),
        ("score: 1e3\n", "score: '1e3'\n"),
        ("date: 2024-11-23T10:00:00\n", "date: '2024-11-23T10:00:00'\n"),
    ],
    ids=["related-id", "score", "negative-score", "exponent-score", "timestamp-date"],
)
def test_a_quoted_value_reads_as_the_bare_one(bare: str, quoted: str) -> None:
    """A quoted number or timestamp is the value it spells, as a quoted id is; only text
    that is no such value rejects the article."""
    template = render_article().replace("date: 2024-11-23\n", "")
    assert parse(template.replace("---\n\n", quoted + "---\n\n")) == parse(
        template.replace("---\n\n", bare + "---\n\n")
    )


def test_slug_falls_back_to_the_folder_without_url() -> None:
    text = render_article().replace("url: /learn/psychology/questions/what-is-it\n", "")
    assert parse(text, "learn/biology/what-is-it.md").subject_slug == "biology"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param(b"", ("no_frontmatter", 1), id="empty"),
        pytest.param(b"# Title\n\nJust text.", ("no_frontmatter", 1), id="no-frontmatter"),
        pytest.param(
            b"---\nid: 1\nanswer: x\n", ("unterminated_frontmatter", 1), id="unterminated"
        ),
        pytest.param(b"---\nid: 1\nanswer: [x\n---\n", ("yaml_error", 4), id="yaml-syntax"),
        pytest.param(b"---\nid: 1\n  answer: x\n---\n", ("yaml_error", 3), id="bad-indent"),
        pytest.param(b"---\n- 1\n- 2\n---\n", ("not_a_mapping", None), id="yaml-list"),
        pytest.param(b"---\njust text\n---\n", ("not_a_mapping", None), id="yaml-scalar"),
        pytest.param(b"---\n---\n", ("not_a_mapping", None), id="yaml-empty"),
        pytest.param(b"---\nanswer: x\n---\n", ("missing_field", None), id="missing-id"),
        pytest.param(b"---\nid: abc\nanswer: x\n---\n", ("invalid_field", None), id="text-id"),
        pytest.param(b"---\nid: 1\n---\n", ("missing_field", None), id="missing-answer"),
        pytest.param(
            b"---\nid: 1\nanswer:\n  a: 1\n---\n", ("invalid_field", None), id="map-answer"
        ),
        pytest.param(
            b"---\nid: 1\nanswer: x\ndate: soon\n---\n", ("invalid_field", None), id="bad-date"
        ),
        pytest.param(
            b"---\nid: 1\nanswer: x\nscore: high\n---\n", ("invalid_field", None), id="bad-score"
        ),
        pytest.param(
            b"---\nid: 1\nanswer: x\nno_index: 3\n---\n", ("invalid_field", None), id="bad-flag"
        ),
        pytest.param(b"---\nid: 1\nanswer: \xff\xfe\n---\n", ("not_utf8", 3), id="invalid-utf8"),
        pytest.param(
            b"---\nid: 1\nanswer: !!python/object/apply:os.system [ls]\n---\n",
            ("yaml_error", 3),
            id="python-tag",
        ),
        pytest.param(
            b"---\nid: 1\nanswer: x\ndate: 2024-13-45\n---\n", ("yaml_error", 4), id="bad-month"
        ),
        pytest.param(
            b"---\nid: 1\nanswer: x\nn: !!int 'x'\n---\n", ("yaml_error", 4), id="bad-int-tag"
        ),
        pytest.param(
            b"---\nid: 99999999999999999999\nanswer: x\n---\n",
            ("invalid_field", None),
            id="id-overflow",
        ),
        pytest.param(b"---\nid: 1.5\nanswer: x\n---\n", ("invalid_field", None), id="float-id"),
        pytest.param(b"---\nid: '--5'\nanswer: x\n---\n", ("invalid_field", None), id="dashes-id"),
        pytest.param(b"---\nid: 1\nanswer: ''\n---\n", ("missing_field", None), id="empty-answer"),
        pytest.param(
            b"---\nid: 1\nanswer: x\ntitle: yes\n---\n", ("invalid_field", None), id="bool-title"
        ),
    ],
)
def test_rejections(raw: bytes, expected: tuple[str, int | None]) -> None:
    kind, message, line, _column = rejection(raw)
    assert (kind, line) == expected
    assert message


def billion_laughs(levels: int) -> bytes:
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, levels)]
    return ("---\nid: 1\nanswer: x\n" + "\n".join(lines) + "\n---\n").encode()


def test_alias_bomb_in_extra_is_rejected_not_expanded() -> None:
    kind, message, _line, _column = rejection(billion_laughs(9))
    assert (kind, "more than 10,000 values" in message) == ("too_complex", True)


def test_small_aliases_in_extra_are_expanded() -> None:
    article = parse_article("x.md", billion_laughs(2))
    assert json.loads(article.extra)["l1"] == [["lol"] * 9] * 9


def test_deep_nesting_in_extra_is_rejected() -> None:
    nested = "".join(f"{'  ' * depth}k{depth}:\n" for depth in range(60)) + "  " * 60 + "v: 1\n"
    kind, _message, _line, _column = rejection(f"---\nid: 1\nanswer: x\n{nested}---\n".encode())
    assert kind == "too_complex"


def test_odd_keys_and_values_do_not_break_parsing() -> None:
    raw = (
        b"--- \nid: 1\nanswer: x\n1: one\nnull: none\n"
        b"related_article9999999999: {id: 2}\nn: .nan\n---\n"
    )
    extra = json.loads(parse_article("x.md", raw).extra)
    assert extra == {"1": "one", "None": "none", "related_article9999999999": {"id": 2}, "n": "nan"}


def test_yaml_error_message_says_where() -> None:
    kind, message, line, column = rejection(b"---\nid: 1\nanswer: [x\n---\n")
    assert kind == "yaml_error"
    assert f"line {line}, column {column}" in message
