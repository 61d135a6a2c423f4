"""One pyarrow schema per lake table: the single source of truth for its columns.

The lake is append-only: each run writes the files it read (raw bytes included) and
their parsed rows into a partition of its own, ``lake/runs/<run no>-<run id>/<table>/``.
The state tables in ``sql/ddl/`` take their columns from these (a test holds them
together); everything analysts read is derived from them in SQL.
"""

from __future__ import annotations

import pyarrow as pa

PAGE_KEY = [
    pa.field("source_path", pa.string(), nullable=False),
    pa.field("sha256", pa.string(), nullable=False),
]
"""A page's content is keyed by its file's path and bytes: the parse depends on both."""

FILES = pa.schema(
    [
        pa.field("source_path", pa.string(), nullable=False),
        pa.field("is_deleted", pa.bool_(), nullable=False),
        pa.field("status", pa.string()),
        pa.field("sha256", pa.string()),
        pa.field("size_bytes", pa.int64()),
        pa.field("mtime_ns", pa.int64()),
        pa.field("article_id", pa.int64()),
        pa.field("error_kind", pa.string()),
        pa.field("error_message", pa.string()),
        pa.field("error_line", pa.int32()),
        pa.field("error_column", pa.int32()),
        pa.field("raw", pa.large_binary()),
    ]
)
"""Every file a run read (status loaded or rejected, with its bytes) or found deleted."""

PAGES = pa.schema(
    [
        *PAGE_KEY,
        pa.field("article_id", pa.int64(), nullable=False),
        pa.field("published_date", pa.date32()),
        pa.field("title", pa.string()),
        pa.field("article_title", pa.string()),
        pa.field("question", pa.string()),
        pa.field("answer_markdown", pa.string(), nullable=False),
        pa.field("answer_intro", pa.string()),
        pa.field("answer_conclusion", pa.string()),
        pa.field("answer_text", pa.string(), nullable=False),
        pa.field("answer_word_count", pa.int32(), nullable=False),
        pa.field("subject_as_written", pa.string()),
        pa.field("subject_slug", pa.string()),
        pa.field("url", pa.string()),
        pa.field("file_name", pa.string()),
        pa.field("author", pa.string()),
        pa.field("score", pa.float64()),
        pa.field("is_no_index", pa.bool_(), nullable=False),
        pa.field("seo_title", pa.string()),
        pa.field("seo_page_description", pa.string()),
        pa.field("seo_page_keywords", pa.string()),
        pa.field("point_count", pa.int32(), nullable=False),
        pa.field("keyword_count", pa.int32(), nullable=False),
        pa.field("related_count", pa.int32(), nullable=False),
        pa.field("content_sha256", pa.string(), nullable=False),
        pa.field("article_sha256", pa.string(), nullable=False),
        pa.field("extra", pa.string(), nullable=False),
    ]
)
"""One row per loaded file: everything the file says, before any cross-file rule."""

ARTICLE_FIELDS = (
    "published_date",
    "title",
    "article_title",
    "question",
    "answer_markdown",
    "answer_intro",
    "answer_conclusion",
    "answer_text",
    "answer_word_count",
    "subject_slug",
    "url",
    "file_name",
    "author",
    "score",
    "is_no_index",
    "seo_title",
    "seo_page_description",
    "seo_page_keywords",
    "point_count",
    "keyword_count",
    "related_count",
    "extra",
)
"""The page fields an article takes from its first listing (``article_sha256`` covers them)."""

PAGE_POINTS = pa.schema(
    [
        *PAGE_KEY,
        pa.field("point_index", pa.int32(), nullable=False),
        pa.field("list_number", pa.int32(), nullable=False),
        pa.field("section", pa.string()),
        pa.field("heading", pa.string()),
        pa.field("body", pa.string(), nullable=False),
    ]
)

PAGE_KEYWORDS = pa.schema(
    [
        *PAGE_KEY,
        pa.field("position", pa.int32(), nullable=False),
        pa.field("keyword", pa.string(), nullable=False),
        pa.field("keyword_normalized", pa.string(), nullable=False),
    ]
)

PAGE_RELATED_LINKS = pa.schema(
    [
        *PAGE_KEY,
        pa.field("rank", pa.int32(), nullable=False),
        pa.field("related_article_id", pa.int64()),
        pa.field("related_title", pa.string()),
        pa.field("related_subject", pa.string()),
        pa.field("related_url", pa.string()),
    ]
)

SEARCH_DOCUMENTS = pa.schema(
    [
        *PAGE_KEY,
        pa.field("point_index", pa.int32(), nullable=False),
        pa.field("term_count", pa.int32(), nullable=False),
        pa.field("terms", pa.map_(pa.string(), pa.int32()), nullable=False),
    ]
)
"""A page version's search documents: the article (point_index 0) and each answer point,
each with its stemmed words and their counts (flows/search_index.py)."""

PARSED_TABLES: dict[str, pa.Schema] = {
    "files": FILES,
    "pages": PAGES,
    "page_points": PAGE_POINTS,
    "page_keywords": PAGE_KEYWORDS,
    "page_related_links": PAGE_RELATED_LINKS,
    "search_documents": SEARCH_DOCUMENTS,
}
"""What parse workers write into a run's partition, one Parquet file per batch."""

RUNS = pa.schema(
    [
        pa.field("run_id", pa.string(), nullable=False),
        pa.field("run_no", pa.int64(), nullable=False),
        pa.field("flow_run_name", pa.string()),
        pa.field("source_time", pa.timestamp("us", tz="UTC"), nullable=False),
        pa.field("started_at", pa.timestamp("us", tz="UTC"), nullable=False),
        pa.field("finished_at", pa.timestamp("us", tz="UTC"), nullable=False),
        pa.field("status", pa.string(), nullable=False),
        pa.field("source_root", pa.string(), nullable=False),
        pa.field("files_seen_count", pa.int64()),
        pa.field("files_read_count", pa.int64()),
        pa.field("files_loaded_count", pa.int64()),
        pa.field("files_rejected_count", pa.int64()),
        pa.field("files_stale_count", pa.int64()),
        pa.field("files_changed_count", pa.int64()),
        pa.field("load_mode", pa.string()),
        pa.field("parser_version", pa.string()),
        pa.field("article_count", pa.int64()),
        pa.field("point_count", pa.int64()),
        pa.field("keyword_count", pa.int64()),
        pa.field("related_count", pa.int64()),
        pa.field("error_message", pa.string()),
        pa.field("source_commit", pa.string()),
        pa.field("source_commit_time", pa.timestamp("us", tz="UTC")),
        pa.field("source_commit_subject", pa.string()),
    ]
)

CHECK_RESULTS = pa.schema(
    [
        pa.field("run_id", pa.string(), nullable=False),
        pa.field("check_name", pa.string(), nullable=False),
        pa.field("severity", pa.string(), nullable=False),
        pa.field("failing_row_count", pa.int64(), nullable=False),
        pa.field("sample_rows", pa.string()),
    ]
)

RUN_TABLES: dict[str, pa.Schema] = {"etl.runs": RUNS, "etl.check_results": CHECK_RESULTS}
"""Written into a run's partition when it ends, published or not."""
