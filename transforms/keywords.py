"""SEO keyword lists: split, trim and de-duplicate as an analyst would count them."""

from __future__ import annotations


def normalize_keyword(keyword: str) -> str:
    """The form keywords are compared and grouped by: case-folded, inner spaces collapsed."""
    return " ".join(keyword.split()).casefold()


def split_keywords(raw: str) -> tuple[str, ...]:
    """Comma-separated keywords, trimmed, empties dropped, case-insensitive repeats dropped.

    The first spelling and the original order are kept.
    """
    parts = raw.split(",")
    seen: set[str] = set()
    keywords: list[str] = []
    for part in parts:
        keyword = str(part).strip()
        key = normalize_keyword(keyword)
        if keyword and key not in seen:
            seen.add(key)
            keywords.append(keyword)
    return tuple(keywords)
