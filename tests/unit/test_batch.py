"""parse_batch: each file on its own to the lake's tables; a bad file is a row, not an error."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

import pyarrow as pa
import pytest

from tests.conftest import render_article
from transforms import schemas
from transforms.batch import SourceFile, Unreadable, fingerprint, parse_batch

PATH = "learn/psychology/what-is-it.md"
MTIME_NS = 1_732_000_000_000_000_000
ARTICLE = render_article(related=1)
FINGERPRINTS = {"sha256", "content_sha256", "article_sha256"}
"""Page columns that are hashes of the others (or of the bytes)."""


def parse(*files: tuple[str, bytes | Unreadable]) -> dict[str, pa.Table]:
    return parse_batch(SourceFile(path, MTIME_NS, raw) for path, raw in files)


def sha256(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def page_of(text: str) -> dict[str, Any]:
    [page] = parse((PATH, text.encode()))["pages"].to_pylist()
    return dict(page)


def test_empty_batch_gives_every_table_empty() -> None:
    assert parse() == {name: schema.empty_table() for name, schema in schemas.PARSED_TABLES.items()}


@pytest.mark.parametrize("table", schemas.PARSED_TABLES, ids=list(schemas.PARSED_TABLES))
def test_tables_follow_their_schemas(table: str) -> None:
    tables = parse(
        (PATH, ARTICLE.encode()),
        ("learn/x/bad.md", b"no frontmatter"),
        ("learn/x/gone.md", Unreadable("cannot read file: Permission denied")),
    )
    assert tables[table].schema == schemas.PARSED_TABLES[table]


def test_loaded_file_row_keeps_its_bytes() -> None:
    raw = ARTICLE.encode()
    assert parse((PATH, raw))["files"].to_pylist() == [
        {
            "source_path": PATH,
            "is_deleted": False,
            "status": "loaded",
            "sha256": sha256(raw),
            "size_bytes": len(raw),
            "mtime_ns": MTIME_NS,
            "article_id": 7,
            "error_kind": None,
            "error_message": None,
            "error_line": None,
            "error_column": None,
            "raw": raw,
        }
    ]


def test_page_row_holds_every_field_of_the_file() -> None:
    raw = ARTICLE.encode()
    answer = "Intro.\n\n1. **One**: first.\n2. **Two**: second.\n\nEnd."
    fields = {
        "published_date": dt.date(2024, 11, 23),
        "title": "What is it?",
        "article_title": "What is it?",
        "question": "What is it?",
        "answer_markdown": answer,
        "answer_intro": "Intro.",
        "answer_conclusion": "End.",
        "answer_text": "Intro. One: first. Two: second. End.",
        "answer_word_count": 6,
        "subject_slug": "psychology",
        "url": "/learn/psychology/questions/what-is-it",
        "file_name": "what-is-it.md",
        "author": "QuickTakes",
        "score": None,
        "is_no_index": False,
        "seo_title": "QuickTakes | Psychology",
        "seo_page_description": "About it.",
        "seo_page_keywords": "alpha, beta",
        "point_count": 2,
        "keyword_count": 2,
        "related_count": 1,
        "extra": json.dumps(
            {"_schema": "default", "date_format": "MMM DD, YYYY", "post_on_text": "Posted on"}
        ),
    }
    expected = {
        "source_path": PATH,
        "sha256": sha256(raw),
        "article_id": 7,
        **fields,
        "subject_as_written": "Psychology",
        "content_sha256": sha256(f"What is it?\0What is it?\0{answer}".encode()),
        "article_sha256": fingerprint(fields),
    }
    assert parse((PATH, raw))["pages"].to_pylist() == [
        {name: expected[name] for name in schemas.PAGES.names}
    ]


def test_child_rows_are_keyed_by_path_and_bytes() -> None:
    text = render_article(related=2).replace("alpha, beta", "Alpha, beta,  ALPHA , , Beta  Gamma")
    tables = parse((PATH, text.encode()))
    key = {"source_path": PATH, "sha256": sha256(text.encode())}
    assert tables["page_points"].to_pylist() == [
        {
            **key,
            "point_index": 1,
            "list_number": 1,
            "section": None,
            "heading": "One",
            "body": "first.",
        },
        {
            **key,
            "point_index": 2,
            "list_number": 2,
            "section": None,
            "heading": "Two",
            "body": "second.",
        },
    ]
    assert tables["page_keywords"].to_pylist() == [
        {**key, "position": 1, "keyword": "Alpha", "keyword_normalized": "alpha"},
        {**key, "position": 2, "keyword": "beta", "keyword_normalized": "beta"},
        {**key, "position": 3, "keyword": "Beta  Gamma", "keyword_normalized": "beta gamma"},
    ]
    assert tables["page_related_links"].to_pylist() == [
        {
            **key,
            "rank": rank,
            "related_article_id": 100 + rank,
            "related_title": f"Related {rank}?",
            "related_subject": "Psychology",
            "related_url": f"/learn/psychology/questions/related-{rank}",
        }
        for rank in (1, 2)
    ]
    assert tables["pages"].select(["keyword_count", "related_count"]).to_pylist() == [
        {"keyword_count": 3, "related_count": 2}
    ]


REJECTED = [
    pytest.param(
        b"no frontmatter",
        ("no_frontmatter", "line 1 is not '---': no YAML frontmatter", 1, 1),
        id="no-frontmatter",
    ),
    pytest.param(
        b"---\nid: 1\n\xff---\n",
        ("not_utf8", "invalid UTF-8 at byte 10 (line 3)", 3, None),
        id="not-utf8",
    ),
    pytest.param(
        b"---\nid: [1\n---\n",
        ("yaml_error", "YAML did not find expected ',' or ']' at line 3, column 1", 3, 1),
        id="yaml-error",
    ),
    pytest.param(
        ARTICLE.replace("id: 7\n", "").encode(),
        ("missing_field", "required field 'id' is missing or empty", None, None),
        id="missing-id",
    ),
]


@pytest.mark.parametrize(("raw", "error"), REJECTED)
def test_rejected_file_is_a_row_with_its_error_and_bytes(
    raw: bytes, error: tuple[str, str, int | None, int | None]
) -> None:
    tables = parse(("learn/x/bad.md", raw))
    kind, message, line, column = error
    assert tables["files"].to_pylist() == [
        {
            "source_path": "learn/x/bad.md",
            "is_deleted": False,
            "status": "rejected",
            "sha256": sha256(raw),
            "size_bytes": len(raw),
            "mtime_ns": MTIME_NS,
            "article_id": None,
            "error_kind": kind,
            "error_message": message,
            "error_line": line,
            "error_column": column,
            "raw": raw,
        }
    ]
    assert {name: table.num_rows for name, table in tables.items() if name != "files"} == {
        name: 0 for name in schemas.PARSED_TABLES if name != "files"
    }


def test_unreadable_file_is_a_row_without_bytes() -> None:
    tables = parse(("learn/x/gone.md", Unreadable("cannot read file: Permission denied")))
    assert tables["files"].to_pylist() == [
        {
            "source_path": "learn/x/gone.md",
            "is_deleted": False,
            "status": "rejected",
            "sha256": None,
            "size_bytes": None,
            "mtime_ns": MTIME_NS,
            "article_id": None,
            "error_kind": "read_error",
            "error_message": "cannot read file: Permission denied",
            "error_line": None,
            "error_column": None,
            "raw": None,
        }
    ]
    assert tables["pages"].num_rows == 0


def test_a_file_that_breaks_the_parser_is_an_internal_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken_parser(source_path: str, raw: bytes) -> None:
        raise KeyError("answer")

    monkeypatch.setattr("transforms.batch.parse_article", broken_parser)
    raw = ARTICLE.encode()
    files = parse((PATH, raw), ("learn/x/b.md", raw))["files"]
    assert files.select(
        ["source_path", "status", "sha256", "error_kind", "error_message"]
    ).to_pylist() == [
        {
            "source_path": path,
            "status": "rejected",
            "sha256": sha256(raw),
            "error_kind": "internal_error",
            "error_message": "KeyError: 'answer'",
        }
        for path in (PATH, "learn/x/b.md")
    ]


def test_files_keep_batch_order_and_only_loaded_ones_have_pages() -> None:
    first = render_article(article_id=2, subject="Biology", slug="biology")
    tables = parse(
        ("learn/z/z.md", render_article(article_id=1).encode()),
        ("learn/x/bad.md", b"broken"),
        ("learn/a/a.md", first.encode()),
    )
    assert tables["files"].select(["source_path", "status", "article_id"]).to_pylist() == [
        {"source_path": "learn/z/z.md", "status": "loaded", "article_id": 1},
        {"source_path": "learn/x/bad.md", "status": "rejected", "article_id": None},
        {"source_path": "learn/a/a.md", "status": "loaded", "article_id": 2},
    ]
    assert tables["pages"].select(["source_path", "article_id"]).to_pylist() == [
        {"source_path": "learn/z/z.md", "article_id": 1},
        {"source_path": "learn/a/a.md", "article_id": 2},
    ]


def test_each_listing_of_one_article_is_its_own_page() -> None:
    """Cross-file rules (first listing, canonical subject) are for the merge: a batch keeps
    every listing with its own SEO and links."""
    biology = render_article(subject="Biology", slug="biology", related=1)
    psychology = render_article(subject="Psychology", slug="psychology", related=2)
    tables = parse(
        ("learn/psychology/a.md", psychology.encode()), ("learn/biology/a.md", biology.encode())
    )
    assert tables["pages"].select(
        ["source_path", "article_id", "subject_as_written", "seo_title", "related_count"]
    ).to_pylist() == [
        {
            "source_path": "learn/psychology/a.md",
            "article_id": 7,
            "subject_as_written": "Psychology",
            "seo_title": "QuickTakes | Psychology",
            "related_count": 2,
        },
        {
            "source_path": "learn/biology/a.md",
            "article_id": 7,
            "subject_as_written": "Biology",
            "seo_title": "QuickTakes | Biology",
            "related_count": 1,
        },
    ]
    assert tables["page_related_links"].select(["source_path", "rank"]).to_pylist() == [
        {"source_path": "learn/psychology/a.md", "rank": 1},
        {"source_path": "learn/psychology/a.md", "rank": 2},
        {"source_path": "learn/biology/a.md", "rank": 1},
    ]


EDITS = [
    pytest.param(
        "\ntitle: >-\n    What is it?", "\ntitle: >-\n    What was it?", {"title"}, id="title"
    ),
    pytest.param(
        "article_title: >-\n    What is it?",
        "article_title: >-\n    What was it?",
        {"article_title"},
        id="article-title",
    ),
    pytest.param(
        "question: >-\n    What is it?",
        "question: >-\n    What was it?",
        {"question"},
        id="question",
    ),
    pytest.param(
        r"\n\nEnd.",
        r"\n\nThe end.",
        {"answer_markdown", "answer_conclusion", "answer_text", "answer_word_count"},
        id="answer-conclusion",
    ),
    pytest.param(
        r"2. **Two**: second.",
        r"2. **Two**: second.\n3. **Three**: third.",
        {"answer_markdown", "point_count", "answer_text", "answer_word_count"},
        id="answer-point-added",
    ),
    pytest.param("date: 2024-11-23", "date: 2024-11-24", {"published_date"}, id="date"),
    pytest.param(
        "url: /learn/psychology/questions/what-is-it",
        "url: /learn/psychology/questions/what-it-is",
        {"url"},
        id="url",
    ),
    pytest.param(
        "url: /learn/psychology/questions/what-is-it",
        "url: /learn/mind/questions/what-is-it",
        {"url", "subject_slug"},
        id="url-and-slug",
    ),
    pytest.param("file_name: what-is-it.md", "file_name: it.md", {"file_name"}, id="file-name"),
    pytest.param("author: QuickTakes", "author: Ann", {"author"}, id="author"),
    pytest.param("file_name:", "score: 0.5\nfile_name:", {"score"}, id="score"),
    pytest.param("file_name:", "no_index: true\nfile_name:", {"is_no_index"}, id="no-index"),
    pytest.param("title: QuickTakes |", "title: Quick |", {"seo_title"}, id="seo-title"),
    pytest.param("About it.", "All about it.", {"seo_page_description"}, id="seo-page-description"),
    pytest.param(
        "alpha, beta",
        "alpha, beta, gamma",
        {"seo_page_keywords", "keyword_count"},
        id="keyword-added",
    ),
    pytest.param("alpha, beta", "Alpha, beta", {"seo_page_keywords"}, id="keyword-spelling"),
    pytest.param("file_name:", "reviewer: Ann\nfile_name:", {"extra"}, id="extra-field"),
    pytest.param(
        "related_article1:",
        "related_article2:\n    id: 5\nrelated_article1:",
        {"related_count"},
        id="related-link-added",
    ),
    pytest.param(
        "subject: Psychology\n",
        "subject: psychology\n",
        {"subject_as_written"},
        id="subject-spelling",
    ),
    pytest.param("Related 1?", "Related one?", set(), id="related-link-title"),
    pytest.param("id: 101", "id: 201", set(), id="related-link-id"),
    pytest.param("&nbsp;", "&nbsp;\n", set(), id="text-after-frontmatter"),
]


@pytest.mark.parametrize(("old", "new", "changed"), EDITS)
def test_article_fingerprint_changes_exactly_with_an_article_field(
    old: str, new: str, changed: set[str]
) -> None:
    edited = ARTICLE.replace(old, new, 1)
    assert edited != ARTICLE
    before, after = page_of(ARTICLE), page_of(edited)
    differs = {name for name in schemas.PAGES.names if before[name] != after[name]}
    assert differs - FINGERPRINTS == changed
    assert (before["article_sha256"] != after["article_sha256"]) == bool(
        changed & set(schemas.ARTICLE_FIELDS)
    )
    assert before["sha256"] != after["sha256"]


def test_article_fields_are_every_page_field_but_the_listings_own() -> None:
    """The key, the subject as this file spells it (articles take the canonical one) and
    the fingerprints are the page's own; an article takes every other field."""
    own = {"source_path", "sha256", "article_id", "subject_as_written", *FINGERPRINTS}
    assert sorted(schemas.ARTICLE_FIELDS) == sorted(set(schemas.PAGES.names) - own)


@pytest.mark.parametrize("field", schemas.ARTICLE_FIELDS, ids=list(schemas.ARTICLE_FIELDS))
def test_fingerprint_covers_each_article_field(field: str) -> None:
    fields = {name: None for name in schemas.ARTICLE_FIELDS}
    assert fingerprint({**fields, field: "x"}) != fingerprint(fields)


def test_fingerprint_ignores_other_fields() -> None:
    fields = {name: None for name in schemas.ARTICLE_FIELDS}
    assert fingerprint({**fields, "subject_as_written": "x", "article_id": 8}) == fingerprint(
        fields
    )


def test_content_fingerprint_ignores_per_listing_fields() -> None:
    tables = parse(
        ("learn/a/x.md", render_article(subject="A", slug="a", related=1).encode()),
        ("learn/b/x.md", render_article(subject="B", slug="b").encode()),
        ("learn/c/x.md", render_article(answer="Other answer.").encode()),
    )
    hashes = tables["pages"].column("content_sha256").to_pylist()
    assert hashes[0] == hashes[1] != hashes[2]
