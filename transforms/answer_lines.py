"""A line scanner for the block structure of plain answers: the fast path of the split.

Profiled on the real corpus, markdown-it's block parser was 60% of the per-file
parse once YAML went to yaml-rs. Answers are nearly all paragraphs, ATX headings
and numbered lists with indented bullets; for that subset the top-level ordered
list items and headings follow from a few CommonMark rules applied line by line.
Any line outside the subset (tabs, fences, quotes, HTML, setext or thematic
breaks, indented code, top-level bullets, link definitions, empty items, items that
open with anything but paragraph text) makes ``scan_blocks`` return None and the
caller uses markdown-it, which stays the oracle: tests compare both on every real
answer and on generated line soups.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ORDERED = re.compile(r"( {0,3})(\d{1,9})([.)])(?:( +)(.*))?")
_HEADING = re.compile(r" {0,3}(#{1,6})(?:[ ]+(.*?))?[ ]*")
_OUTSIDE_SUBSET = re.compile(
    r" *(?:```|~~~|>|<|\[[^\]]*\]:|(?:- *){3,}$|(?:\* *){3,}$|(?:_ *){3,}$|=+ *$|-+ *$)|.*\t"
)
_BULLET = re.compile(r"( {0,3})([-*+])(?:( +)(.*))?")
_MARKER = re.compile(r" {0,3}(?:\d{1,9}[.)]|[-*+])(?: +|$)")
_PLAIN_START = re.compile(r"[^\W\d_]|\*\*[^*\s]")


@dataclass(frozen=True, slots=True)
class Item:
    """A top-level ordered list item: its number and lines [start, end) of the answer."""

    number: int
    start: int
    end: int
    section: str | None


@dataclass(frozen=True, slots=True)
class Blocks:
    items: tuple[Item, ...]
    first_list_start: int | None


@dataclass(slots=True)
class _State:
    """The open top-level list item, if any: an ordered one (a point) or a bullet."""

    items: list[Item]
    section: str | None = None
    first_start: int | None = None
    open_item: Item | None = None
    in_bullet: bool = False
    width: int = 0
    marker: str = ""
    previous_blank: bool = True
    in_paragraph: bool = False

    @property
    def in_list(self) -> bool:
        return self.open_item is not None or self.in_bullet

    def close(self, end: int) -> None:
        if self.open_item is not None:
            item = self.open_item
            self.items.append(Item(item.number, item.start, end, item.section))
        self.open_item, self.in_bullet, self.marker = None, False, ""


def scan_blocks(lines: list[str]) -> Blocks | None:
    """Top-level ordered items with their sections, or None when a line is outside the subset."""
    state = _State([])
    for number, line in enumerate(lines):
        if not line.strip(" "):
            state.previous_blank, state.in_paragraph = True, False
            continue
        if _OUTSIDE_SUBSET.match(line) or not _scan_line(state, number, line):
            return None
        state.previous_blank = False
    state.close(_content_end(lines))
    return Blocks(tuple(state.items), state.first_start)


def _scan_line(state: _State, number: int, line: str) -> bool:
    """Advance the state by one non-blank line; False when the line needs the full parser."""
    indent = len(line) - len(line.lstrip(" "))
    if state.in_list and indent >= state.width:
        content = line[state.width :]
        if (state.previous_blank or not state.in_paragraph) and indent >= state.width + 4:
            return False
        if _MARKER.match(content) is not None and not _opens_paragraph(content):
            return False
        state.in_paragraph = _HEADING.fullmatch(content) is None
        return True
    ordered = _ORDERED.fullmatch(line)
    if ordered is not None:
        return _scan_ordered(state, number, ordered)
    bullet = _BULLET.fullmatch(line)
    if bullet is not None:
        return _scan_bullet(state, number, bullet)
    heading = _HEADING.fullmatch(line)
    if heading is not None:
        if heading.group(2) is not None and "#" in heading.group(2):
            return False
        state.close(number)
        state.section = heading.group(2) or None
        state.in_paragraph = False
        return True
    if state.in_paragraph:
        return indent < 4 or _MARKER.match(line[indent:]) is None
    state.close(number)
    state.in_paragraph = True
    return indent < 4


def _scan_ordered(state: _State, number: int, ordered: re.Match[str]) -> bool:
    indent, digits, delimiter, spaces, content = ordered.groups()
    if not content or len(spaces) > 4 or not _opens_paragraph(content):
        return False
    if state.open_item is not None and delimiter != state.marker:
        return False
    if not state.in_list and state.in_paragraph and int(digits) != 1:
        return True
    if state.open_item is None:
        state.first_start = number if state.first_start is None else state.first_start
    state.close(number)
    state.open_item = Item(int(digits), number, -1, state.section)
    state.marker = delimiter
    state.width = len(indent) + len(digits) + 1 + len(spaces)
    state.in_paragraph = True
    return True


def _scan_bullet(state: _State, number: int, bullet: re.Match[str]) -> bool:
    """A top-level bullet item: never a point, but its indented lines are its own."""
    indent, marker, spaces, content = bullet.groups()
    if not content or len(spaces) > 4 or not _opens_paragraph(content):
        return False
    state.close(number)
    state.in_bullet, state.marker = True, marker
    state.width = len(indent) + 1 + len(spaces)
    state.in_paragraph = True
    return True


def _opens_paragraph(content: str) -> bool:
    """Whether an item's first line, past any further markers, is paragraph text. Anything
    else (a heading, fence, HTML, a break, an empty item) makes the next unindented line
    end the list instead of continuing the item lazily, which the scanner does not model."""
    while _PLAIN_START.match(content) is None:
        marker = _MARKER.match(content)
        if marker is None:
            return (
                bool(content.strip(" "))
                and _OUTSIDE_SUBSET.match(content) is None
                and _HEADING.fullmatch(content) is None
            )
        content = content[marker.end() :]
    return True


def _content_end(lines: list[str]) -> int:
    end = len(lines)
    while end > 0 and not lines[end - 1].strip():
        end -= 1
    return end
