from __future__ import annotations

import pytest

from transforms.answers import AnswerPoint, decode_answer, split_answer_points


@pytest.mark.parametrize(
    ("raw", "decoded"),
    [
        pytest.param(r"a\n\nb", "a\n\nb", id="newlines"),
        pytest.param("a\n\nb", "a\n\nb", id="real-newlines-unchanged"),
        pytest.param("a\r\nb\rc", "a\nb\nc", id="crlf-and-cr"),
        pytest.param(r"$q \neq 0$ and $\nabla f$", r"$q \neq 0$ and $\nabla f$", id="latex-n"),
        pytest.param(r"$\neg P$\n2. next", "$\\neg P$\n2. next", id="latex-then-newline"),
        pytest.param(r"$P \not\equiv Q$", r"$P \not\equiv Q$", id="latex-not"),
        pytest.param(r"item\ne) fifth", "item\ne) fifth", id="newline-before-e"),
        pytest.param(r"\nnotes", "\nnotes", id="newline-before-word"),
        pytest.param(
            r"\frac{a}{b} \text{x} \\ y", r"\frac{a}{b} \text{x} \\ y", id="other-backslashes"
        ),
    ],
)
def test_decode_answer(raw: str, decoded: str) -> None:
    assert decode_answer(raw) == decoded
    assert decode_answer(decoded) == decoded


def points(markdown: str) -> list[tuple[int, int, str | None, str | None, str]]:
    structure = split_answer_points(markdown)
    return [(p.point_index, p.list_number, p.section, p.heading, p.body) for p in structure.points]


def test_intro_points_conclusion() -> None:
    structure = split_answer_points(
        "Intro line.\n\n1. **First**: one.\n\n2. **Second**: two.\n\nIn short, done."
    )
    assert structure.intro == "Intro line."
    assert structure.conclusion == "In short, done."
    assert structure.points == (
        AnswerPoint(1, 1, None, "First", "one."),
        AnswerPoint(2, 2, None, "Second", "two."),
    )


def test_sections_come_from_nearest_heading_and_index_runs_over_lists() -> None:
    markdown = "### Causes\n\n1. **A**: a.\n2. **B**: b.\n\n## Effects\n\n1. **C**: c.\n"
    assert points(markdown) == [
        (1, 1, "Causes", "A", "a."),
        (2, 2, "Causes", "B", "b."),
        (3, 1, "Effects", "C", "c."),
    ]


def test_nested_numbered_steps_under_a_bullet_belong_to_their_point() -> None:
    markdown = (
        "1. **Collisions**: strategies:\n"
        "   - Chaining:\n"
        "     1. Hash the key.\n"
        "     2. Walk the list.\n"
        "2. **Resizing**: grow."
    )
    assert points(markdown) == [
        (
            1,
            1,
            None,
            "Collisions",
            "strategies:\n- Chaining:\n  1. Hash the key.\n  2. Walk the list.",
        ),
        (2, 2, None, "Resizing", "grow."),
    ]


def test_list_lines_inside_code_fences_are_not_points() -> None:
    markdown = "Code:\n\n```\n1. not a point\n2. nor this\n```\n\n1. **Real**: yes."
    structure = split_answer_points(markdown)
    assert [p.heading for p in structure.points] == ["Real"]
    assert structure.intro == "Code:\n\n```\n1. not a point\n2. nor this\n```"


def test_code_fence_inside_a_point_stays_in_its_body() -> None:
    markdown = (
        "1. **Run**: like this:\n\n   ```python\n   x = 1\n   # 2. comment\n   ```\n\n"
        "2. **Stop**: now."
    )
    assert points(markdown) == [
        (1, 1, None, "Run", "like this:\n\n```python\nx = 1\n# 2. comment\n```"),
        (2, 2, None, "Stop", "now."),
    ]


def test_list_number_as_written_and_start_other_than_one() -> None:
    markdown = "3. **C**: c.\n4. **D**: d.\n\nBreak.\n\n7) **G**: g."
    assert [(i, n) for i, n, *_ in points(markdown)] == [(1, 3), (2, 4), (3, 7)]


@pytest.mark.parametrize(
    ("item", "heading", "body"),
    [
        pytest.param("1. **Lead**: text", "Lead", "text", id="colon-after-bold"),
        pytest.param("1. **Lead:** text", "Lead", "text", id="colon-inside-bold"),
        pytest.param("1. **Lead** - text", "Lead", "text", id="dash-after-bold"),
        pytest.param("1. **Lead**\n   text below", "Lead", "text below", id="bold-alone-on-line"),
        pytest.param("1. Plain: text", None, "Plain: text", id="no-bold"),
        pytest.param(
            "1. Text with **bold** inside", None, "Text with **bold** inside", id="bold-later"
        ),
        pytest.param("1. **Term** (1980) text", "Term", "(1980) text", id="bold-then-text"),
        pytest.param("1. **A** pairs with **B**: x", "A", "pairs with **B**: x", id="two-bolds"),
        pytest.param(
            "1. ***Term*** text", None, "***Term*** text", id="bold-italic-is-not-a-lead-in"
        ),
        pytest.param("1. ** spaced** text", None, "** spaced** text", id="not-bold"),
        pytest.param("1. **Term**\u2014text", "Term", "text", id="em-dash"),
    ],
)
def test_lead_in_heading(item: str, heading: str | None, body: str) -> None:
    (point,) = split_answer_points(item).points
    assert (point.heading, point.body) == (heading, body)


def test_answer_without_numbered_list_has_no_points() -> None:
    structure = split_answer_points("Just text.\n\n- a bullet\n- another")
    assert structure.points == ()
    assert structure.intro == "Just text.\n\n- a bullet\n- another"
    assert structure.conclusion is None


def test_ordered_list_in_blockquote_is_not_top_level() -> None:
    assert points("> 1. quoted\n> 2. list\n\n1. **Top**: yes") == [(1, 1, None, "Top", "yes")]


def test_paragraph_number_without_blank_line_is_not_a_list() -> None:
    # CommonMark: only a list starting at 1 may interrupt a paragraph.
    assert points("In 2024 we saw\n2. growth") == []


def test_headings_inside_points_do_not_become_sections() -> None:
    markdown = "## Top\n\n1. **A**: a\n   > # Quoted\n2. **B**: b"
    assert [(i, section) for i, _n, section, *_ in points(markdown)] == [(1, "Top"), (2, "Top")]


def test_indented_code_opening_a_point_keeps_its_indentation() -> None:
    (point,) = split_answer_points("1.     code()\n\n   more").points
    assert point.body == "    code()\n\nmore"


def test_blank_first_line_sets_content_column_after_marker() -> None:
    (point,) = split_answer_points("1.   \n   text\n\n       code").points
    assert point.body == "text\n\n    code"


def test_empty_answer() -> None:
    structure = split_answer_points("")
    assert (structure.intro, structure.points, structure.conclusion) == (None, (), None)
