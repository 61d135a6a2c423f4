from __future__ import annotations

from collections import Counter

from transforms.subjects import choose_canonical_subjects


def test_most_frequent_spelling_wins() -> None:
    spellings = {"computer-science": Counter({"Computer Science": 1423, "Computer science": 510})}
    assert choose_canonical_subjects(spellings) == {"computer-science": "Computer Science"}


def test_tie_goes_to_the_spelling_that_sorts_first() -> None:
    spellings = {"digital-media": Counter({"Digital media": 2, "Digital Media": 2})}
    assert choose_canonical_subjects(spellings) == {"digital-media": "Digital Media"}


def test_slug_without_any_spelling_keeps_the_slug() -> None:
    assert choose_canonical_subjects({"others": Counter({"": 3})}) == {"others": "others"}
