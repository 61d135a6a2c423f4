from __future__ import annotations

import pytest

from transforms.keywords import normalize_keyword, split_keywords


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("a, b, c", ("a", "b", "c"), id="plain"),
        pytest.param("  a ,b,  ,, c  ", ("a", "b", "c"), id="trim-and-drop-empties"),
        pytest.param(
            "Memory, memory, MEMORY, sleep", ("Memory", "sleep"), id="case-repeats-keep-first"
        ),
        pytest.param("b, a, B", ("b", "a"), id="order-kept"),
        pytest.param(
            "long  term, long term", ("long  term",), id="inner-spaces-compared-collapsed"
        ),
        pytest.param("", (), id="empty"),
    ],
)
def test_split_keywords(raw: str, expected: tuple[str, ...]) -> None:
    assert split_keywords(raw) == expected


def test_normalize_keyword() -> None:
    assert normalize_keyword("  Straße  Name ") == "strasse name"
