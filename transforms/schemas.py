"""One pyarrow schema per warehouse table: the single source of truth for its columns.

The DuckDB DDL in ``sql/ddl/`` must declare the same columns in the same order
(a test holds them together); the lake's Parquet files are written with these.
"""

from __future__ import annotations

import pyarrow as pa

ARTICLES = pa.schema(
    [
        pa.field("article_id", pa.int64(), nullable=False),
        pa.field("published_date", pa.date32()),
        pa.field("title", pa.string()),
        pa.field("article_title", pa.string()),
        pa.field("question", pa.string()),
        pa.field("answer_markdown", pa.string(), nullable=False),
        pa.field("answer_intro", pa.string()),
        pa.field("answer_conclusion", pa.string()),
        pa.field("subject", pa.string()),
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
        pa.field("source_path", pa.string(), nullable=False),
        pa.field("extra", pa.string(), nullable=False),
    ]
)

ARTICLE_LISTINGS = pa.schema(
    [
        pa.field("source_path", pa.string(), nullable=False),
        pa.field("article_id", pa.int64(), nullable=False),
        pa.field("subject", pa.string()),
        pa.field("subject_as_written", pa.string()),
        pa.field("subject_slug", pa.string()),
        pa.field("url", pa.string()),
    ]
)

ANSWER_POINTS = pa.schema(
    [
        pa.field("article_id", pa.int64(), nullable=False),
        pa.field("point_index", pa.int32(), nullable=False),
        pa.field("list_number", pa.int32(), nullable=False),
        pa.field("section", pa.string()),
        pa.field("heading", pa.string()),
        pa.field("body", pa.string(), nullable=False),
    ]
)

ARTICLE_KEYWORDS = pa.schema(
    [
        pa.field("article_id", pa.int64(), nullable=False),
        pa.field("position", pa.int32(), nullable=False),
        pa.field("keyword", pa.string(), nullable=False),
        pa.field("keyword_normalized", pa.string(), nullable=False),
    ]
)

RELATED_ARTICLES = pa.schema(
    [
        pa.field("article_id", pa.int64(), nullable=False),
        pa.field("rank", pa.int32(), nullable=False),
        pa.field("related_article_id", pa.int64()),
        pa.field("related_title", pa.string()),
        pa.field("related_subject", pa.string()),
        pa.field("related_url", pa.string()),
    ]
)

SUBJECTS = pa.schema(
    [
        pa.field("subject_slug", pa.string(), nullable=False),
        pa.field("subject", pa.string(), nullable=False),
        pa.field("listing_count", pa.int64(), nullable=False),
    ]
)

SOURCE_FILES = pa.schema(
    [
        pa.field("source_path", pa.string(), nullable=False),
        pa.field("sha256", pa.string()),
        pa.field("size_bytes", pa.int64()),
        pa.field("status", pa.string(), nullable=False),
        pa.field("article_id", pa.int64()),
        pa.field("content_sha256", pa.string()),
        pa.field("mtime_ns", pa.int64()),
        pa.field("first_seen_run_id", pa.string()),
        pa.field("last_changed_run_id", pa.string()),
    ]
)

REJECTED_FILES = pa.schema(
    [
        pa.field("source_path", pa.string(), nullable=False),
        pa.field("error_kind", pa.string(), nullable=False),
        pa.field("error_message", pa.string(), nullable=False),
        pa.field("error_line", pa.int32()),
        pa.field("error_column", pa.int32()),
    ]
)

RUNS = pa.schema(
    [
        pa.field("run_id", pa.string(), nullable=False),
        pa.field("flow_run_name", pa.string()),
        pa.field("started_at", pa.timestamp("us", tz="UTC"), nullable=False),
        pa.field("finished_at", pa.timestamp("us", tz="UTC"), nullable=False),
        pa.field("status", pa.string(), nullable=False),
        pa.field("source_root", pa.string(), nullable=False),
        pa.field("files_seen_count", pa.int64()),
        pa.field("files_loaded_count", pa.int64()),
        pa.field("files_rejected_count", pa.int64()),
        pa.field("files_stale_count", pa.int64()),
        pa.field("files_changed_count", pa.int64()),
        pa.field("load_mode", pa.string()),
        pa.field("warehouse_build", pa.string()),
        pa.field("parser_version", pa.string()),
        pa.field("article_count", pa.int64()),
        pa.field("point_count", pa.int64()),
        pa.field("keyword_count", pa.int64()),
        pa.field("related_count", pa.int64()),
        pa.field("error_message", pa.string()),
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

SCHEMA_VERSION = pa.schema(
    [
        pa.field("version", pa.int32(), nullable=False),
        pa.field("applied_at", pa.timestamp("us", tz="UTC"), nullable=False),
    ]
)

HISTORY_TABLES: dict[str, pa.Schema] = {
    "etl.runs": RUNS,
    "etl.check_results": CHECK_RESULTS,
    "etl.schema_version": SCHEMA_VERSION,
}
"""Kept across runs: each run's lake carries the previous history plus its own rows."""

TABLES: dict[str, pa.Schema] = {
    "articles": ARTICLES,
    "article_listings": ARTICLE_LISTINGS,
    "answer_points": ANSWER_POINTS,
    "article_keywords": ARTICLE_KEYWORDS,
    "related_articles": RELATED_ARTICLES,
    "subjects": SUBJECTS,
    "etl.source_files": SOURCE_FILES,
    "etl.rejected_files": REJECTED_FILES,
}

ARTICLE_TABLES = ("articles", "answer_points", "article_keywords", "related_articles")
"""Tables holding one article's content: kept from the article's first listing by path."""
