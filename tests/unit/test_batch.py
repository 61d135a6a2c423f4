from __future__ import annotations

import hashlib
from collections import Counter

import pyarrow as pa

from tests.conftest import render_article
from transforms import schemas
from transforms.batch import (
    Unreadable,
    apply_canonical_subjects,
    drop_articles,
    keep_stale_content,
    mark_stale,
    parse_batch,
    subjects_table,
)


def batch_of(*files: tuple[str, bytes | Unreadable]):  # type: ignore[no-untyped-def]
    return parse_batch(files)


def test_tables_follow_their_schemas() -> None:
    batch = batch_of(("learn/psychology/a.md", render_article().encode()))
    for name, table in batch.tables.items():
        assert table.schema == schemas.TABLES[name], name


def test_cross_listed_article_takes_content_from_first_file() -> None:
    first = render_article(subject="Biology", slug="biology", related=1).encode()
    second = render_article(subject="Psychology", slug="psychology", related=3).encode()
    batch = batch_of(("learn/biology/a.md", first), ("learn/psychology/a.md", second))
    articles = batch.tables["articles"].to_pylist()
    assert [(a["article_id"], a["subject_slug"], a["related_count"]) for a in articles] == [
        (7, "biology", 1)
    ]
    assert batch.tables["related_articles"].num_rows == 1
    assert batch.tables["answer_points"].num_rows == 2
    assert [row["source_path"] for row in batch.tables["article_listings"].to_pylist()] == [
        "learn/biology/a.md",
        "learn/psychology/a.md",
    ]
    assert batch.subject_spellings == {
        "biology": Counter({"Biology": 1}),
        "psychology": Counter({"Psychology": 1}),
    }


def test_rejected_and_unreadable_files_become_rows() -> None:
    bad = b"no frontmatter"
    batch = batch_of(
        ("learn/x/bad.md", bad),
        ("learn/x/gone.md", Unreadable("cannot read file: Permission denied")),
        ("learn/x/good.md", render_article().encode()),
    )
    parsed_columns = [
        "source_path",
        "sha256",
        "size_bytes",
        "status",
        "article_id",
        "content_sha256",
    ]
    source_files = batch.tables["etl.source_files"]
    assert source_files.column("mtime_ns").null_count == source_files.num_rows
    assert source_files.select(parsed_columns).to_pylist() == [
        {
            "source_path": "learn/x/bad.md",
            "sha256": hashlib.sha256(bad).hexdigest(),
            "size_bytes": len(bad),
            "status": "rejected",
            "article_id": None,
            "content_sha256": None,
        },
        {
            "source_path": "learn/x/gone.md",
            "sha256": None,
            "size_bytes": None,
            "status": "rejected",
            "article_id": None,
            "content_sha256": None,
        },
        {
            "source_path": "learn/x/good.md",
            "sha256": hashlib.sha256(render_article().encode()).hexdigest(),
            "size_bytes": len(render_article().encode()),
            "status": "loaded",
            "article_id": 7,
            "content_sha256": hashlib.sha256(
                b"What is it?\0What is it?\0"
                + b"Intro.\n\n1. **One**: first.\n2. **Two**: second.\n\nEnd."
            ).hexdigest(),
        },
    ]
    assert [
        (r["source_path"], r["error_kind"]) for r in batch.tables["etl.rejected_files"].to_pylist()
    ] == [
        ("learn/x/bad.md", "no_frontmatter"),
        ("learn/x/gone.md", "read_error"),
    ]
    assert batch.tables["article_listings"].num_rows == 1


def test_content_fingerprint_ignores_per_listing_fields() -> None:
    batch = batch_of(
        ("learn/a/x.md", render_article(subject="A", slug="a", related=1).encode()),
        ("learn/b/x.md", render_article(subject="B", slug="b").encode()),
        ("learn/c/x.md", render_article(answer="Other answer.").encode()),
    )
    hashes = batch.tables["etl.source_files"].column("content_sha256").to_pylist()
    assert hashes[0] == hashes[1] != hashes[2]


def test_empty_batch_gives_empty_tables() -> None:
    batch = batch_of()
    assert all(table.num_rows == 0 for table in batch.tables.values())


def test_drop_articles_removes_content_rows_only() -> None:
    batch = batch_of(("learn/psychology/a.md", render_article(related=2).encode()))
    kept = drop_articles(batch.tables, pa.array([7], pa.int64()))
    assert {name: kept[name].num_rows for name in schemas.ARTICLE_TABLES} == dict.fromkeys(
        schemas.ARTICLE_TABLES, 0
    )
    assert kept["article_listings"].num_rows == 1
    assert drop_articles(batch.tables, pa.array([], pa.int64()))["articles"].num_rows == 1


def test_canonical_subjects_replace_spellings() -> None:
    batch = batch_of(
        ("learn/cs/a.md", render_article(subject="Computer science", slug="cs").encode())
    )
    renamed = apply_canonical_subjects(batch.tables, {"cs": "Computer Science"})
    assert renamed["articles"].column("subject").to_pylist() == ["Computer Science"]
    listing = renamed["article_listings"].to_pylist()[0]
    assert (listing["subject"], listing["subject_as_written"]) == (
        "Computer Science",
        "Computer science",
    )


def test_subjects_table() -> None:
    spellings = {"cs": Counter({"Computer Science": 2, "Computer science": 1})}
    table = subjects_table(spellings, {"cs": "Computer Science"})
    assert table.to_pylist() == [
        {"subject_slug": "cs", "subject": "Computer Science", "listing_count": 3}
    ]


def test_mark_stale_sets_status_and_last_article_id() -> None:
    source_files = batch_of(
        ("learn/x/bad.md", b"broken"), ("learn/x/also-bad.md", b"broken too")
    ).tables["etl.source_files"]
    marked = mark_stale(source_files, {"learn/x/bad.md": 42})
    assert marked.select(["source_path", "status", "article_id"]).to_pylist() == [
        {"source_path": "learn/x/bad.md", "status": "stale", "article_id": 42},
        {"source_path": "learn/x/also-bad.md", "status": "rejected", "article_id": None},
    ]


def test_keep_stale_content_skips_loaded_articles_and_credits_first_stale_listing() -> None:
    tables = batch_of(
        ("learn/psy/a.md", render_article(article_id=1, subject="Psychology", slug="psy").encode()),
        ("learn/bio/a.md", render_article(article_id=1, subject="Biology", slug="bio").encode()),
        ("learn/psy/b.md", render_article(article_id=2).encode()),
    ).tables
    stale = {name: tables[name] for name in ("article_listings", *schemas.ARTICLE_TABLES)}
    kept = keep_stale_content(stale, loaded_ids={2})
    assert kept["articles"].select(
        ["article_id", "source_path", "subject", "subject_slug"]
    ).to_pylist() == [
        {
            "article_id": 1,
            "source_path": "learn/bio/a.md",
            "subject": "Biology",
            "subject_slug": "bio",
        }
    ]
    assert set(kept["answer_points"].column("article_id").to_pylist()) == {1}
    assert kept["article_listings"].num_rows == 3
