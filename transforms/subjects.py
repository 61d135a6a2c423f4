"""Canonical subject names: one spelling per subject slug."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping


def choose_canonical_subjects(spellings: Mapping[str, Counter[str]]) -> dict[str, str]:
    """Pick each slug's most frequent spelling; ties go to the spelling that sorts first.

    ``spellings`` maps a slug to how many listings wrote each spelling. A slug
    that no listing named keeps the slug itself as its name.
    """
    canonical: dict[str, str] = {}
    for slug, counts in spellings.items():
        named = [(count, spelling) for spelling, count in counts.items() if spelling]
        canonical[slug] = min(named, key=lambda item: (-item[0], item[1]))[1] if named else slug
    return canonical
