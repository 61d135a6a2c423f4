"""A batch of article files to Arrow tables, one per warehouse table.

Batches are the unit of parallel work. The files of a batch come sorted by
path, and an article listed by several files takes its content from the first.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from transforms import schemas
from transforms.articles import Article, ArticleRejected, content_sha256, parse_article
from transforms.keywords import normalize_keyword


@dataclass(frozen=True, slots=True)
class Unreadable:
    """A source file whose bytes could not be read, and the operating system's reason."""

    message: str


@dataclass
class BatchTables:
    """The Arrow tables of one batch, keyed by warehouse table name."""

    tables: dict[str, pa.Table]
    subject_spellings: dict[str, Counter[str]] = field(default_factory=dict)


@dataclass
class _Rows:
    columns: dict[str, dict[str, list[Any]]] = field(
        default_factory=lambda: {name: defaultdict(list) for name in schemas.TABLES}
    )

    def add(self, table: str, **values: Any) -> None:
        for name, value in values.items():
            self.columns[table][name].append(value)

    def to_tables(self) -> dict[str, pa.Table]:
        """One table per schema; columns a parse does not know (the manifest's) are null."""
        tables = {}
        for name, schema in schemas.TABLES.items():
            if name == "subjects":
                continue
            given = self.columns[name]
            size = max((len(values) for values in given.values()), default=0)
            tables[name] = pa.Table.from_pydict(
                {column: given.get(column, [None] * size) for column in schema.names},
                schema=schema,
            )
        return tables


def parse_batch(files: Iterable[tuple[str, bytes | Unreadable]]) -> BatchTables:
    """Parse ``(source_path, content)`` pairs; rejected files become rows, never exceptions."""
    rows = _Rows()
    seen: set[int] = set()
    for source_path, raw in files:
        if isinstance(raw, Unreadable):
            _add_rejection(
                rows, source_path, None, None, ArticleRejected("read_error", raw.message)
            )
            continue
        digest = hashlib.sha256(raw).hexdigest()
        try:
            article = parse_article(source_path, raw)
        except ArticleRejected as rejection:
            _add_rejection(rows, source_path, digest, len(raw), rejection)
            continue
        except Exception as error:
            # A file that breaks the parser itself is still accounted for, and
            # the kind tells the operator it is ours to fix.
            failure = ArticleRejected("internal_error", f"{type(error).__name__}: {error}")
            _add_rejection(rows, source_path, digest, len(raw), failure)
            continue
        rows.add(
            "etl.source_files",
            source_path=source_path,
            sha256=digest,
            size_bytes=len(raw),
            status="loaded",
            article_id=article.article_id,
            content_sha256=content_sha256(article),
        )
        rows.add(
            "article_listings",
            source_path=source_path,
            article_id=article.article_id,
            subject=article.subject,
            subject_as_written=article.subject,
            subject_slug=article.subject_slug,
            url=article.url,
        )
        if article.article_id not in seen:
            seen.add(article.article_id)
            _add_article(rows, source_path, article)
    tables = rows.to_tables()
    return BatchTables(tables, count_spellings(tables["article_listings"]))


def _add_rejection(
    rows: _Rows, source_path: str, digest: str | None, size: int | None, rejection: ArticleRejected
) -> None:
    rows.add(
        "etl.source_files",
        source_path=source_path,
        sha256=digest,
        size_bytes=size,
        status="rejected",
        article_id=None,
        content_sha256=None,
    )
    rows.add(
        "etl.rejected_files",
        source_path=source_path,
        error_kind=rejection.kind,
        error_message=rejection.message,
        error_line=rejection.line,
        error_column=rejection.column,
    )


def _add_article(rows: _Rows, source_path: str, article: Article) -> None:
    answer = article.answer
    rows.add(
        "articles",
        article_id=article.article_id,
        published_date=article.published_date,
        title=article.title,
        article_title=article.article_title,
        question=article.question,
        answer_markdown=article.answer_markdown,
        answer_intro=answer.intro,
        answer_conclusion=answer.conclusion,
        subject=article.subject,
        subject_slug=article.subject_slug,
        url=article.url,
        file_name=article.file_name,
        author=article.author,
        score=article.score,
        is_no_index=article.is_no_index,
        seo_title=article.seo_title,
        seo_page_description=article.seo_page_description,
        seo_page_keywords=article.seo_page_keywords,
        point_count=len(answer.points),
        keyword_count=len(article.keywords),
        related_count=len(article.related),
        source_path=source_path,
        extra=article.extra,
    )
    for point in answer.points:
        rows.add(
            "answer_points",
            article_id=article.article_id,
            point_index=point.point_index,
            list_number=point.list_number,
            section=point.section,
            heading=point.heading,
            body=point.body,
        )
    for position, keyword in enumerate(article.keywords, start=1):
        rows.add(
            "article_keywords",
            article_id=article.article_id,
            position=position,
            keyword=keyword,
            keyword_normalized=normalize_keyword(keyword),
        )
    for related in article.related:
        rows.add(
            "related_articles",
            article_id=article.article_id,
            rank=related.rank,
            related_article_id=related.related_article_id,
            related_title=related.title,
            related_subject=related.subject,
            related_url=related.url,
        )


def drop_articles(tables: Mapping[str, pa.Table], article_ids: pa.Array) -> dict[str, pa.Table]:
    """Remove the content rows of articles whose first listing was in an earlier batch."""
    kept = dict(tables)
    if len(article_ids) == 0:
        return kept
    for name in schemas.ARTICLE_TABLES:
        table = tables[name]
        kept[name] = table.filter(pc.invert(pc.is_in(table.column("article_id"), article_ids)))
    return kept


def apply_canonical_subjects(
    tables: Mapping[str, pa.Table], canonical: Mapping[str, str]
) -> dict[str, pa.Table]:
    """Replace each listing's and article's subject with its slug's canonical name.

    Tables other than those two, present or not, pass through unchanged.
    """
    slugs = pa.array(list(canonical), pa.string())
    names = pa.array(list(canonical.values()), pa.string())
    renamed = dict(tables)
    for name in ("articles", "article_listings"):
        if name not in tables:
            continue
        table = tables[name]
        index = pc.index_in(table.column("subject_slug"), value_set=slugs)
        subject = pc.if_else(pc.is_null(index), table.column("subject"), pc.take(names, index))
        position = table.schema.get_field_index("subject")
        renamed[name] = table.set_column(position, table.schema.field(position), subject)
    return renamed


def mark_stale(source_files: pa.Table, stale_ids: Mapping[str, int]) -> pa.Table:
    """Rejected files that were good before become ``stale`` with their last article id."""
    if not stale_ids:
        return source_files
    paths = pa.array(list(stale_ids), pa.string())
    ids = pa.array(list(stale_ids.values()), pa.int64())
    index = pc.index_in(source_files.column("source_path"), value_set=paths)
    is_stale = pc.is_valid(index)
    status = pc.if_else(is_stale, pa.scalar("stale"), source_files.column("status"))
    article_id = pc.if_else(is_stale, pc.take(ids, index), source_files.column("article_id"))
    return source_files.set_column(
        source_files.schema.get_field_index("status"), source_files.schema.field("status"), status
    ).set_column(
        source_files.schema.get_field_index("article_id"),
        source_files.schema.field("article_id"),
        article_id,
    )


def keep_stale_content(tables: Mapping[str, pa.Table], loaded_ids: set[int]) -> dict[str, pa.Table]:
    """Last good content of articles that no loaded file lists any more.

    Such an article is credited to its first stale listing by path, and takes
    that listing's subject and URL.
    """
    listings = tables["article_listings"].sort_by("source_path")
    first: dict[int, dict[str, Any]] = {}
    for row in listings.to_pylist():
        first.setdefault(row["article_id"], row)
    kept = drop_articles(tables, pa.array(sorted(loaded_ids & set(first)), pa.int64()))
    articles = kept["articles"]
    credited = [first[article_id] for article_id in articles.column("article_id").to_pylist()]
    for column, listing_column in (
        ("source_path", "source_path"),
        ("subject", "subject_as_written"),
        ("subject_slug", "subject_slug"),
        ("url", "url"),
    ):
        position = articles.schema.get_field_index(column)
        values = pa.array([row[listing_column] for row in credited], pa.string())
        articles = articles.set_column(position, articles.schema.field(position), values)
    kept["articles"] = articles
    return kept


def count_spellings(listings: pa.Table) -> dict[str, Counter[str]]:
    """How many listings spell each slug's subject each way."""
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for row in listings.select(["subject_slug", "subject_as_written"]).to_pylist():
        if row["subject_slug"] is not None:
            spellings[row["subject_slug"]][row["subject_as_written"] or ""] += 1
    return dict(spellings)


def subjects_table(spellings: Mapping[str, Counter[str]], canonical: Mapping[str, str]) -> pa.Table:
    """The ``subjects`` table: one row per slug with its canonical name and listing count."""
    slugs = sorted(canonical)
    return pa.Table.from_pydict(
        {
            "subject_slug": slugs,
            "subject": [canonical[slug] for slug in slugs],
            "listing_count": [sum(spellings.get(slug, Counter()).values()) for slug in slugs],
        },
        schema=schemas.SUBJECTS,
    )
