"""The line scanner agrees with markdown-it's CommonMark parser wherever it answers."""

from __future__ import annotations

import random

import pytest

from transforms.answer_lines import scan_blocks
from transforms.answers import split_answer_points, split_answer_points_commonmark

# Line shapes that answers use, and shapes near the edges of the scanner's subset.
LINE_KINDS = [
    "",
    "   ",
    "Plain text line.",
    "1. **Lead**: body text.",
    "2. Second point.",
    "10. Tenth point.",
    "3) Paren point.",
    " 4. One-space point.",
    "   5. Three-space point.",
    "1.",
    "1.5 million people",
    "2.      wide gap",
    "   - nested bullet",
    "    - deeper bullet",
    "  - two-space bullet",
    "- top bullet",
    "* star bullet",
    "+ plus bullet",
    "-",
    "*",
    "**Bold** start of a line",
    "-1 is negative",
    "   1. nested number",
    "    1. indented number",
    "      code-like text",
    "### Section heading",
    "# Title",
    "###",
    "#5 is not a heading",
    "## Closed ##",
    "   continuation text",
    "\xa0",
    "- - -",
    "***",
    "---",
    "===",
    "> quoted",
    "```",
    "<div>",
    "[ref]: /url",
    "\tTabbed",
    "1. ### Heading item",
    "2. <div>",
    "3. ```",
    "1. ---",
    "2. ***",
    "1. [ref]: /url",
    "- ## Bullet heading",
    "   - ## Nested bullet heading",
    "- ***",
    "   *",
    "   1.",
    "       code after a heading",
    "     2. five-space number",
    "   2. > nested quote",
]

CASES = {
    "points-with-sections": "Intro.\n\n### A\n\n1. **X**: one.\n2. **Y**: two.\n\n### B\n\n1. Z.",
    "nested-bullets": "1. **X**: one.\n   - a\n   - b\n2. two\n\nDone.",
    "lazy-continuation": "1. one\nlazy line\n2. two",
    "paragraph-then-two": "Text\n2. not a list",
    "paragraph-then-one": "Text\n1. a list",
    "bullet-then-lazy-two": "- item\n2. lazy",
    "bullet-then-one": "- item\n1. list",
    "list-ends-at-paragraph": "1. one\n\nAfter.\n\n2. new list",
    "delimiter-change": "1. one\n2) two",
    "wide-marker": "10. ten\n    - nested under ten\n   - not nested",
    "heading-in-item": "1. one\n   ### inner\nlazy?\n2. two",
    "code-fence": "1. one\n   ```\n   2. inside\n   ```\n2. two",
    "setext": "Title\n===\n\n1. one",
    "nbsp-line": "1. one\n\xa0\n2. two",
    "heading-as-item": "1. ### Install\nRun the installer.\n2. ### Configure\nEdit the file.",
    "html-as-item": "1. <div>\nfoo\n2. bar",
    "break-as-bullet": "- ***\nfoo\n2. bar",
    "heading-as-nested-bullet": "Steps:\n\n1. Prepare\n   - ## Tools\nA hammer.\n\nThat is all.",
    "code-after-item-heading": "1. Step\n   ### Notes\n       code\nAfter the list.",
    "empty-nested-bullet": "1. Step\n\n   *\nAfter the list.",
    "indented-number-after-nested": "  2. two-sp\n\n     2. five\n    1. four",
}


@pytest.mark.parametrize("markdown", list(CASES.values()), ids=list(CASES))
def test_written_cases_agree_with_commonmark(markdown: str) -> None:
    assert split_answer_points(markdown) == split_answer_points_commonmark(markdown)


@pytest.mark.parametrize(
    "markdown",
    [CASES["code-fence"], CASES["setext"], CASES["delimiter-change"], "Text\n> quote"],
    ids=["fence", "setext", "delimiter-change", "quote"],
)
def test_outside_the_subset_the_scanner_declines(markdown: str) -> None:
    assert scan_blocks(markdown.split("\n")) is None


def test_plain_answers_take_the_scanner() -> None:
    assert scan_blocks(CASES["points-with-sections"].split("\n")) is not None
    assert scan_blocks(CASES["nested-bullets"].split("\n")) is not None


def test_random_line_soups_agree_with_commonmark() -> None:
    """Seeded soups of the shapes above: every one the scanner answers must match."""
    rng = random.Random(20261128)
    answered = 0
    for _ in range(4000):
        lines = [rng.choice(LINE_KINDS) for _ in range(rng.randint(1, 12))]
        markdown = "\n".join(lines)
        answered += scan_blocks(lines) is not None
        assert split_answer_points(markdown) == split_answer_points_commonmark(markdown), lines
    assert answered > 250
