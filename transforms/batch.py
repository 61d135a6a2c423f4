"""A batch of article files to Arrow tables, one per lake table.

Batches are the unit of parallel work. Each file stands alone here: which listing an
article's content comes from, canonical subject names and everything else that needs
more than one file is decided in SQL when the run is merged (``sql/merge``).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from transforms import schemas
from transforms.articles import Article, ArticleRejected, content_sha256, parse_article
from transforms.keywords import normalize_keyword
from transforms.plain_text import plain_text


@dataclass(frozen=True, slots=True)
class Unreadable:
    """A source file whose bytes could not be read, and the operating system's reason."""

    message: str


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A file to parse: its path, its modification time as discovered, and its bytes."""

    source_path: str
    mtime_ns: int | None
    raw: bytes | Unreadable


@dataclass
class _Rows:
    columns: dict[str, dict[str, list[Any]]] = field(
        default_factory=lambda: {name: defaultdict(list) for name in schemas.PARSED_TABLES}
    )

    def add(self, table: str, **values: Any) -> None:
        for name, value in values.items():
            self.columns[table][name].append(value)

    def to_tables(self) -> dict[str, pa.Table]:
        """One table per schema. Child rows hold their page's row number; their key
        columns are taken from the pages table here, cheaper than repeating the path and
        digest in Python for every point, keyword and link."""
        tables: dict[str, pa.Table] = {}
        for name, schema in schemas.PARSED_TABLES.items():
            given = dict(self.columns[name])
            page = given.pop("page", None)
            if page is not None:
                rows = pa.array(page, pa.int64())
                for key in ("source_path", "sha256"):
                    given[key] = tables["pages"].column(key).take(rows)
            size = max((len(values) for values in given.values()), default=0)
            tables[name] = pa.Table.from_pydict(
                {column: given.get(column, [None] * size) for column in schema.names},
                schema=schema,
            )
        return tables


def parse_batch(files: Iterable[SourceFile]) -> dict[str, pa.Table]:
    """Parse files into the lake's tables; rejected files become rows, never exceptions."""
    rows = _Rows()
    for source in files:
        if isinstance(source.raw, Unreadable):
            rejection = ArticleRejected("read_error", source.raw.message)
            _add_file(rows, source, None, None, rejection)
            continue
        digest = hashlib.sha256(source.raw).hexdigest()
        try:
            article = parse_article(source.source_path, source.raw)
        except ArticleRejected as rejection:
            _add_file(rows, source, digest, None, rejection)
            continue
        except Exception as error:
            # A file that breaks the parser itself is still accounted for, and
            # the kind tells the operator it is ours to fix.
            failure = ArticleRejected("internal_error", f"{type(error).__name__}: {error}")
            _add_file(rows, source, digest, None, failure)
            continue
        _add_file(rows, source, digest, article.article_id, None)
        _add_page(rows, source.source_path, digest, article)
    return rows.to_tables()


def fingerprint(fields: dict[str, Any]) -> str:
    """SHA-256 of the ``ARTICLE_FIELDS``: equal exactly when all of them are equal."""
    values = tuple(fields[name] for name in schemas.ARTICLE_FIELDS)
    return hashlib.sha256(repr(values).encode("utf-8")).hexdigest()


def _add_file(
    rows: _Rows,
    source: SourceFile,
    digest: str | None,
    article_id: int | None,
    rejection: ArticleRejected | None,
) -> None:
    raw = source.raw if isinstance(source.raw, bytes) else None
    rows.add(
        "files",
        source_path=source.source_path,
        is_deleted=False,
        status="rejected" if rejection else "loaded",
        sha256=digest,
        size_bytes=len(raw) if raw is not None else None,
        mtime_ns=source.mtime_ns,
        article_id=article_id,
        error_kind=rejection.kind if rejection else None,
        error_message=rejection.message if rejection else None,
        error_line=rejection.line if rejection else None,
        error_column=rejection.column if rejection else None,
        raw=raw,
    )


def _add_page(rows: _Rows, source_path: str, digest: str, article: Article) -> None:
    answer = article.answer
    text = plain_text(article.answer_markdown)
    page = len(rows.columns["pages"]["source_path"])
    fields = {
        "published_date": article.published_date,
        "title": article.title,
        "article_title": article.article_title,
        "question": article.question,
        "answer_markdown": article.answer_markdown,
        "answer_intro": answer.intro,
        "answer_conclusion": answer.conclusion,
        "answer_text": text,
        "answer_word_count": len(text.split(" ")) if text else 0,
        "subject_slug": article.subject_slug,
        "url": article.url,
        "file_name": article.file_name,
        "author": article.author,
        "score": article.score,
        "is_no_index": article.is_no_index,
        "seo_title": article.seo_title,
        "seo_page_description": article.seo_page_description,
        "seo_page_keywords": article.seo_page_keywords,
        "point_count": len(answer.points),
        "keyword_count": len(article.keywords),
        "related_count": len(article.related),
        "extra": article.extra,
    }
    rows.add(
        "pages",
        source_path=source_path,
        sha256=digest,
        **fields,
        article_id=article.article_id,
        subject_as_written=article.subject,
        content_sha256=content_sha256(article),
        article_sha256=fingerprint(fields),
    )
    for point in answer.points:
        rows.add(
            "page_points",
            page=page,
            point_index=point.point_index,
            list_number=point.list_number,
            section=point.section,
            heading=point.heading,
            body=point.body,
        )
    for position, keyword in enumerate(article.keywords, start=1):
        rows.add(
            "page_keywords",
            page=page,
            position=position,
            keyword=keyword,
            keyword_normalized=normalize_keyword(keyword),
        )
    for related in article.related:
        rows.add(
            "page_related_links",
            page=page,
            rank=related.rank,
            related_article_id=related.related_article_id,
            related_title=related.title,
            related_subject=related.subject,
            related_url=related.url,
        )
