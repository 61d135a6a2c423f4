"""The plain text of answers equals markdown-it's on each Markdown construct it handles."""

from __future__ import annotations

import pytest

from transforms.plain_text import plain_text, plain_text_commonmark

CASES = {
    "paragraphs": "One line\nand the next.\n\nA second paragraph.",
    "numbered-points": "Intro.\n\n1. **One**: first.\n2. **Two**: second.\n\nEnd.",
    "bullets": "- alpha\n- beta\n  * nested gamma\n+ delta",
    "headings": "# Title\n\nText.\n\n### Section ###\nMore.",
    "quote": "> quoted\n> lines\n\nafter",
    "emphasis": "Some *em*, **strong**, _under_ and __double__ text; snake_case stays.",
    "link-and-image": "See [the docs](https://example.org/x) and ![a chart](c.png).",
    "code-span": "Call `print(x)` or ``a ` b``.",
    "escapes": r"Not \*emphasis\*, a \[bracket\] and C:\path.",
    "fenced-code": "Run:\n\n```python\n# a comment\n- not a list\nx = *y\n```\n\nDone.",
    "latex-backslashes": r"The mean is $\frac{1}{n}\sum x_i$.",
    "ordered-paren": "1) first\n2) second",
}


@pytest.mark.parametrize("markdown", CASES.values(), ids=list(CASES))
def test_plain_text_equals_commonmark(markdown: str) -> None:
    assert plain_text(markdown) == plain_text_commonmark(markdown)


def test_plain_text_keeps_the_words_and_drops_the_marks() -> None:
    assert plain_text(CASES["link-and-image"]) == "See the docs and a chart."
    assert plain_text(CASES["numbered-points"]) == "Intro. One: first. Two: second. End."
