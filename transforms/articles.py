"""Parse one QuickTakes article file into normalized values, or say why it is rejected."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
from dataclasses import dataclass
from typing import Any

import yaml

from transforms.answers import AnswerStructure, decode_answer, split_answer_points
from transforms.keywords import split_keywords
from transforms.yaml_fast import load_yaml

_RELATED_KEY = re.compile(r"related_article([1-9][0-9]{0,8})")
_INTEGER_TEXT = re.compile(r"-?[0-9]+", re.ASCII)
_NUMBER_TEXT = re.compile(r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?", re.ASCII)
URL_SLUG = re.compile(r"/learn/(?P<slug>[^/]+)/")
"""A subject slug in a page URL; a page whose URL has one does not depend on its path
(``sql/plan/files_to_reuse.sql`` relies on that)."""
_COLUMN_KEYS = frozenset(
    {
        "id",
        "date",
        "title",
        "article_title",
        "question",
        "answer",
        "subject",
        "file_name",
        "url",
        "author",
        "score",
        "no_index",
        "seo",
    }
)
_SEO_COLUMN_KEYS = frozenset({"title", "page_description", "page_keywords"})
# YAML aliases let a few lines stand for millions of values; copying them into
# the extra JSON must stop long before memory does.
MAX_EXTRA_VALUES = 10_000
MAX_EXTRA_DEPTH = 32
_INT64 = range(-(2**63), 2**63)
_RELATED_COLUMN_KEYS = frozenset({"id", "title", "subject", "url"})


class ArticleRejected(Exception):
    """A file that cannot become an article, with a short ``kind`` code and where it went wrong."""

    def __init__(
        self, kind: str, message: str, line: int | None = None, column: int | None = None
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.line = line
        self.column = column


@dataclass(frozen=True, slots=True)
class RelatedArticle:
    rank: int
    related_article_id: int | None
    title: str | None
    subject: str | None
    url: str | None


@dataclass(frozen=True, slots=True)
class Article:
    article_id: int
    published_date: dt.date | None
    title: str | None
    article_title: str | None
    question: str | None
    answer_markdown: str
    answer: AnswerStructure
    subject: str | None
    subject_slug: str | None
    url: str | None
    file_name: str | None
    author: str | None
    score: float | None
    is_no_index: bool
    seo_title: str | None
    seo_page_description: str | None
    seo_page_keywords: str | None
    keywords: tuple[str, ...]
    related: tuple[RelatedArticle, ...]
    extra: str


def split_frontmatter(text: str) -> str:
    """Return the YAML between a first line ``---`` and the next line that is exactly ``---``.

    Split by lines, never by substring: answers can hold ``---`` inside a line.
    """
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        raise ArticleRejected("no_frontmatter", "line 1 is not '---': no YAML frontmatter", 1, 1)
    for number, line in enumerate(lines[1:], start=2):
        if line.rstrip() == "---":
            return "\n".join(lines[1 : number - 1])
    raise ArticleRejected(
        "unterminated_frontmatter",
        f"frontmatter opened on line 1 is never closed by a '---' line ({len(lines)} lines)",
        1,
        1,
    )


_UNREADABLE_VALUE = (ValueError, TypeError, AttributeError, OverflowError)


def _unreadable_value_mark(yaml_text: str) -> yaml.Mark | None:
    """Where the first value libyaml's constructors cannot build starts: their errors
    carry no position, but the composed document's nodes do."""
    try:
        root = yaml.compose(yaml_text, Loader=yaml.CSafeLoader)
    except yaml.YAMLError:
        return None
    constructor = yaml.constructor.SafeConstructor()
    pending, seen = [root] if root is not None else [], set()
    while pending:
        node = pending.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            try:
                constructor.construct_object(node)
            except _UNREADABLE_VALUE:
                return node.start_mark
        elif isinstance(node, yaml.SequenceNode):
            pending.extend(reversed(node.value))
        elif isinstance(node, yaml.MappingNode):
            pending.extend(reversed([part for pair in node.value for part in pair]))
    return None


def load_frontmatter(yaml_text: str) -> dict[str, Any]:
    """Parse the frontmatter as libyaml's safe loader does, through yaml-rs where proven equal."""
    try:
        data = load_yaml(yaml_text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        # +2: the file's first line is '---', and marks are 0-based.
        line = mark.line + 2 if mark else None
        column = mark.column + 1 if mark else None
        problem = error.problem or error.context or "invalid YAML"
        where = f" at line {line}, column {column}" if mark else ""
        raise ArticleRejected("yaml_error", f"YAML {problem}{where}", line, column) from None
    except yaml.YAMLError as error:
        raise ArticleRejected("yaml_error", f"YAML error: {error}") from None
    except RecursionError:
        raise ArticleRejected("too_complex", "YAML nests too deeply to load") from None
    except _UNREADABLE_VALUE as error:
        # PyYAML's constructors raise these for values like 'date: 2024-13-45'.
        mark = _unreadable_value_mark(yaml_text)
        line = mark.line + 2 if mark else None
        column = mark.column + 1 if mark else None
        where = f" at line {line}, column {column}" if mark else ""
        raise ArticleRejected(
            "yaml_error", f"YAML value cannot be read{where}: {error}", line, column
        ) from None
    if not isinstance(data, dict):
        kind = type(data).__name__ if data is not None else "empty"
        raise ArticleRejected("not_a_mapping", f"frontmatter is {kind}, not a mapping of fields")
    return data


def parse_article(source_path: str, raw: bytes) -> Article:
    """Decode, split and normalize one article file; raise ArticleRejected when it is unusable."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise ArticleRejected(
            "not_utf8", f"invalid UTF-8 at byte {error.start} (line {line})", line
        ) from None
    text = text.removeprefix("\ufeff")
    data = load_frontmatter(split_frontmatter(text))
    return normalize_article(source_path, data)


def normalize_article(source_path: str, data: dict[str, Any]) -> Article:
    """Map frontmatter fields to typed columns; everything without a column goes to ``extra``."""
    article_id = _required_id(data)
    answer_raw = data.get("answer")
    if answer_raw is None or answer_raw == "":
        raise ArticleRejected("missing_field", "required field 'answer' is missing or empty")
    if not isinstance(answer_raw, str):
        raise ArticleRejected("invalid_field", f"'answer' is {type(answer_raw).__name__}, not text")
    seo = _mapping(data.get("seo"), "seo")
    answer_markdown = decode_answer(answer_raw)
    url = _text(data, "url")
    keywords_raw = _text(seo, "page_keywords", "seo.page_keywords")
    return Article(
        article_id=article_id,
        published_date=_date(data.get("date")),
        title=_text(data, "title"),
        article_title=_text(data, "article_title"),
        question=_text(data, "question"),
        answer_markdown=answer_markdown,
        answer=split_answer_points(answer_markdown),
        subject=_text(data, "subject"),
        subject_slug=slug_from_url(url) or _folder_slug(source_path),
        url=url,
        file_name=_text(data, "file_name"),
        author=_text(data, "author"),
        score=_score(data.get("score")),
        is_no_index=_flag(data.get("no_index"), "no_index"),
        seo_title=_text(seo, "title", "seo.title"),
        seo_page_description=_text(seo, "page_description", "seo.page_description"),
        seo_page_keywords=_text(seo, "page_keywords", "seo.page_keywords"),
        keywords=split_keywords(keywords_raw) if keywords_raw is not None else (),
        related=_related(data),
        extra=_extra_json(data, seo),
    )


def content_sha256(article: Article) -> str:
    """Fingerprint of what makes two listings the same article: title, question, answer.

    Per-listing fields (subject, URL, SEO, related links, score) may differ between
    listings of one article; these may not.
    """
    content = "\0".join([article.title or "", article.question or "", article.answer_markdown])
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def slug_from_url(url: str | None) -> str | None:
    """The subject slug of a ``/learn/<slug>/questions/...`` URL."""
    match = URL_SLUG.search(url) if url else None
    return match.group("slug") if match else None


def _folder_slug(source_path: str) -> str | None:
    parts = source_path.split("/")
    return parts[-2] if len(parts) >= 2 else None


def _required_id(data: dict[str, Any]) -> int:
    value = data.get("id")
    if value is None:
        raise ArticleRejected("missing_field", "required field 'id' is missing or empty")
    return _int64(value, "id")


def _int64(value: Any, label: str) -> int:
    """An id, written as a number or as quoted digits."""
    if isinstance(value, str) and _INTEGER_TEXT.fullmatch(value.strip()):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value not in _INT64:
        raise ArticleRejected(
            "invalid_field", f"'{label}' must be a 64-bit integer, got {value!r:.60}"
        )
    return value


def _text(data: dict[str, Any], key: str, label: str | None = None) -> str | None:
    value = data.get(key)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        raise ArticleRejected(
            "invalid_field", f"'{label or key}' is the YAML boolean {value}: quote the text"
        )
    if isinstance(value, int | float | dt.date):
        return str(value)
    raise ArticleRejected("invalid_field", f"'{label or key}' is {type(value).__name__}, not text")


def _mapping(value: Any, label: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ArticleRejected(
            "invalid_field", f"'{label}' is {type(value).__name__}, not a mapping"
        )
    return value


def _date(value: Any) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value.strip()).date()
        except ValueError:
            pass
    raise ArticleRejected("invalid_field", f"'date' is not a calendar date: {value!r:.60}")


def _score(value: Any) -> float | None:
    """A number, written bare or quoted."""
    if value is None:
        return None
    if isinstance(value, str) and _NUMBER_TEXT.fullmatch(value.strip()):
        value = float(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ArticleRejected("invalid_field", f"'score' is not a number: {value!r:.60}")
    return float(value)


def _flag(value: Any, label: str) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise ArticleRejected("invalid_field", f"'{label}' is not true/false: {value!r:.60}")
    return value


def _related(data: dict[str, Any]) -> tuple[RelatedArticle, ...]:
    related = []
    for key, value in data.items():
        match = _RELATED_KEY.fullmatch(str(key))
        if not match or value is None:
            continue
        entry = _mapping(value, key)
        related_id = entry.get("id")
        if related_id is not None:
            related_id = _int64(related_id, f"{key}.id")
        related.append(
            RelatedArticle(
                rank=int(match.group(1)),
                related_article_id=related_id,
                title=_text(entry, "title", f"{key}.title"),
                subject=_text(entry, "subject", f"{key}.subject"),
                url=_text(entry, "url", f"{key}.url"),
            )
        )
    return tuple(sorted(related, key=lambda item: item.rank))


def _extra_json(data: dict[str, Any], seo: dict[str, Any]) -> str:
    """Every frontmatter value that has no column of its own, as JSON, so nothing is dropped."""
    extra: dict[str, Any] = {}
    for key, value in data.items():
        match = _RELATED_KEY.fullmatch(str(key))
        if match and isinstance(value, dict):
            leftover = {k: v for k, v in value.items() if k not in _RELATED_COLUMN_KEYS}
            if leftover:
                extra[str(key)] = leftover
        elif key not in _COLUMN_KEYS and not match:
            extra[str(key)] = value
    seo_leftover = {k: v for k, v in seo.items() if k not in _SEO_COLUMN_KEYS}
    if seo_leftover:
        extra["seo"] = seo_leftover
    return json.dumps(_json_safe(extra, [MAX_EXTRA_VALUES], 0), ensure_ascii=False)


def _json_safe(value: Any, budget: list[int], depth: int) -> Any:
    """A JSON-ready copy (text keys, ISO dates), refusing huge or deep values."""
    budget[0] -= 1
    if budget[0] < 0:
        raise ArticleRejected(
            "too_complex",
            f"extra fields hold more than {MAX_EXTRA_VALUES:,} values (YAML aliases?)",
        )
    if depth > MAX_EXTRA_DEPTH:
        raise ArticleRejected(
            "too_complex", f"extra fields nest deeper than {MAX_EXTRA_DEPTH} levels"
        )
    if isinstance(value, dict):
        return {str(k): _json_safe(v, budget, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_json_safe(item, budget, depth + 1) for item in value]
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return repr(value)
