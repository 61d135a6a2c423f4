"""yaml-rs may stand in for libyaml only where it loads the same values of the same types.

One tiny document per class where the two differ (or might, or yaml-rs could crash): each
must load through libyaml, with libyaml's value or error. Ordinary frontmatter must take
the fast path and still load exactly as libyaml loads it.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from typing import Any

import pytest
import yaml_rs

from tests.conftest import render_article
from transforms.articles import split_frontmatter
from transforms.yaml_fast import (
    MAX_DEPTH,
    MAX_LINES,
    NO_ALIASES,
    is_proven_text,
    load_yaml,
    load_yaml_reference,
    load_yaml_traced,
)


def typed(value: Any) -> Any:
    """The value with the type of every node spelled out, so True != 'yes' != 1."""
    if isinstance(value, dict):
        return ("dict", [(typed(key), typed(item)) for key, item in value.items()])
    if isinstance(value, list | tuple | set | frozenset):
        items = [typed(item) for item in value]
        return (type(value).__name__, sorted(items, key=repr) if isinstance(value, set) else items)
    if isinstance(value, float) and math.isnan(value):
        return ("float", "nan")
    return (type(value).__name__, value)


def outcome(load: Callable[[str], Any], text: str) -> tuple[Any, ...]:
    """What a loader makes of the text: the typed value, or the exception it raises."""
    try:
        return ("value", typed(load(text)))
    except Exception as error:
        return ("error", type(error).__name__, str(error))


def yaml_rs_alone(text: str) -> Any:
    return yaml_rs.loads(text)


def alias_bomb(levels: int) -> str:
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def nested_blocks(depth: int) -> str:
    return "".join(f"{'  ' * level}k{level}:\n" for level in range(depth)) + "  " * depth + "v: 1\n"


ORDINARY = {
    "article": split_frontmatter(
        render_article(extra_lines="score: -1.0\nno_index: true\n", related=2)
    ),
    "plain-scalars": "id: 7\nscore: -1.5\nno_index: false\ndate: 2024-11-23\nauthor: ~\nx:\n",
    "words-yaml11-leaves-as-text": "a: y\nb: n\nc: nUll\nd: tRue\ne: yes please\n",
    "integers": "a: 0\nb: -12\nc: +3\nd: 1_000\ne: 9223372036854775807\n",
    "floats": "a: 1.5\nb: -0.0\nc: 1_0.25\nd: 100000000000000000000000.0\n",
    "prose-with-indicators": "answer: >-\n    A: b - c, [d] {e} 'f' \"g\" & *h !i 017 #j\n",
    "block-scalars": "a: |\n  x\n   y\nb: >-\n  p\n  q\n\n  r\nc: |+\n  k\n\nd: end\n",
    "sequences": "tags:\n  - a\n  - b: 1\n    c: x\nmore:\n- z\n",
    "quoted": "a: 'it''s'\nb: \"tab\\there \\u00e9\"\nc: 'x\n  y'\n",
    "comments": "# top\na: x # trailing\n\nb: y#not-a-comment\n",
    "unicode": "title: Café ☕ 😀 — ünïcödé\n",
    "nested": "seo:\n  title: T\n  deeper:\n    deepest: 1\n",
}

FALLBACK = {
    "yaml11-bool-yes": "a: yes\n",
    "yaml11-bool-no": "no_index: no\n",
    "yaml11-bool-on-off": "a: on\nb: Off\n",
    "octal-leading-zero": "a: 017\n",
    "octal-0o": "a: 0o17\n",
    "leading-zero-not-octal": "a: 08\n",
    "hex-upper-case": "a: 0X1F\n",
    "underscore-first": "a: _1\n",
    "underscore-dot": "a: _.5\n",
    "sexagesimal-int": "a: 1:30\n",
    "sexagesimal-float": "a: 1:30.5\n",
    "exponent-without-dot": "a: 1e3\n",
    "exponent-without-sign": "a: 1.0e3\n",
    "signed-dot-float": "a: -.5\n",
    "inf-mixed-case": "a: .INf\n",
    "nan-mixed-case": "a: .Nan\n",
    "date-quoted": "date: '2024-01-02'\n",
    "date-double-quoted-escape": 'date: "\\x32024-01-02"\n',
    "date-block-scalar": "date: |-\n  2024-01-02\n",
    "timestamp-one-digit-parts": "at: 2024-1-2 3:04:05\n",
    "date-invalid": "date: 2024-13-45\n",
    "date-year-zero": "date: 0000-01-01\n",
    "timestamp-utc": "at: 2024-01-02T03:04:05Z\n",
    "timestamp-space-zone": "at: 2024-01-02 03:04:05 -5\n",
    "timestamp-no-seconds": "at: 2024-01-02T03:04\n",
    "timestamp-quoted": "at: '2024-01-02T03:04:05'\n",
    "merge-key": "a:\n  <<:\n    x: 1\n  y: 2\n",
    "merge-key-alias": "base: &b {x: 1}\nd:\n  <<: *b\n  y: 2\n",
    "value-key": "a: =\n",
    "duplicate-key": "title: First\ntitle: Second\n",
    "duplicate-key-after-typing": "1: a\ntrue: b\n",
    "integer-key": "1: a\n",
    "unhashable-key": "? [1, 2]\n: x\n",
    "empty-key": ": v\n",
    "alias": "a: &x [1]\nb: *x\n",
    "anchored-flow-octal": "a: &x [017]\n",
    "tag-str": "a: !!str 123\n",
    "tag-binary": "a: !!binary aGVsbG8=\n",
    "tag-local": "answer: !Ref secret\n",
    "tag-python": "answer: !!python/object/apply:os.system ['touch /tmp/pwned']\n",
    "tag-omap": "a: !!omap [x: 1]\n",
    "tag-on-next-line": "a:\n  !!binary aGVsbG8=\n",
    "flow-octal": "a: [017, 0o17]\n",
    "nul": "answer: a\x00b\n",
    "control-character": "a: x\x07y\n",
    "delete-character": "a: x\x7fy\n",
    "next-line-character": "a: x\x85y\n",
    "line-separator": "a: x\u2028y\n",
    "byte-order-mark-first": "\ufeffa: 1\n",
    "noncharacter": "a: x\ufffey\n",
    "tab-after-colon": "b:\tz\n",
    "tab-indent": "seo:\n\ttitle: x\n",
    "carriage-returns": "a: x\r\nb: y\r\n",
    "second-document": "a: 1\n--- b\n",
    "document-end-then-more": "a: 1\n...\nb: 2\n",
    "directive": "%YAML 1.1\n---\na: 1\n",
    "block-scalar-at-end-of-text": "a: |\n  x",
    "empty-block-scalar-at-end": "a: >\n",
    "empty-block-key-at-end": "b: 1\n? |\n",
    "integer-beyond-digit-limit": "a: " + "9" * 5000 + "\n",
    "integer-beyond-64-bits": "a: 99999999999999999999\n",
    "deep-block-nesting": nested_blocks(MAX_DEPTH + 8),
    "deep-compact-nesting": "- " * 20_000 + "x\n",
    "compact-chain": "a:\n- - x\n",
    "deep-flow-nesting": "a: " + "[" * 5000 + "]" * 5000 + "\n",
    "too-many-lines": "".join(f"k{i}: v\n" for i in range(MAX_LINES)),
    "unclosed-flow": "id: 902\nanswer: [x\n",
    "bad-indent": "id: 903\n  answer: x\n",
    "unknown-escape": 'a: "\\q"\n',
    "mapping-in-plain-value": "a: b: c\n",
    "list-document": "- id: 905\n- answer: x\n",
    "scalar-document": "just a sentence\n",
    "empty-document": "",
}

YAML_RS_DIFFERS = [
    "yaml11-bool-yes",
    "octal-leading-zero",
    "octal-0o",
    "leading-zero-not-octal",
    "hex-upper-case",
    "underscore-first",
    "underscore-dot",
    "sexagesimal-int",
    "exponent-without-dot",
    "signed-dot-float",
    "inf-mixed-case",
    "date-quoted",
    "date-double-quoted-escape",
    "date-block-scalar",
    "timestamp-one-digit-parts",
    "date-invalid",
    "timestamp-no-seconds",
    "timestamp-quoted",
    "merge-key",
    "value-key",
    "duplicate-key",
    "duplicate-key-after-typing",
    "unhashable-key",
    "empty-key",
    "tag-binary",
    "tag-local",
    "tag-python",
    "tag-omap",
    "nul",
    "control-character",
    "next-line-character",
    "line-separator",
    "byte-order-mark-first",
    "noncharacter",
    "tab-after-colon",
    "second-document",
    "document-end-then-more",
    "block-scalar-at-end-of-text",
    "empty-block-scalar-at-end",
    "empty-block-key-at-end",
    "integer-beyond-digit-limit",
]


@pytest.mark.parametrize("text", ORDINARY.values(), ids=ORDINARY.keys())
def test_ordinary_frontmatter_takes_the_fast_path(text: str) -> None:
    value, path = load_yaml_traced(text)
    assert path == "fast"
    assert typed(value) == typed(load_yaml_reference(text))


@pytest.mark.parametrize("text", FALLBACK.values(), ids=FALLBACK.keys())
def test_every_other_class_loads_through_libyaml(text: str) -> None:
    expected = outcome(load_yaml_reference, text)
    assert outcome(load_yaml, text) == expected
    if expected[0] == "value":
        assert load_yaml_traced(text)[1] == "reference"


@pytest.mark.parametrize("name", YAML_RS_DIFFERS)
def test_yaml_rs_alone_would_load_these_differently(name: str) -> None:
    text = FALLBACK[name]
    assert outcome(yaml_rs_alone, text) != outcome(load_yaml_reference, text)


def test_alias_bomb_loads_through_libyaml_as_shared_lists() -> None:
    value, path = load_yaml_traced(alias_bomb(9))
    assert path == "reference"
    assert value["l8"][0] is value["l7"]


def test_aliases_make_yaml_rs_stop_before_expanding_them() -> None:
    with pytest.raises(yaml_rs.YAMLDecodeError, match="alias"):
        yaml_rs.loads(alias_bomb(6), alias_limits=NO_ALIASES)


def test_nesting_that_would_crash_yaml_rs_never_reaches_it() -> None:
    assert not is_proven_text("- " * 20_000 + "x\n")
    assert not is_proven_text("a:\n" + "".join(f"{' ' * i}k:\n" for i in range(MAX_LINES)))


def test_fast_values_have_libyaml_types() -> None:
    value = load_yaml("id: 7\ndate: 2024-11-23\nno_index: true\nscore: -1.0\n")
    assert value == {"id": 7, "date": dt.date(2024, 11, 23), "no_index": True, "score": -1.0}
    assert [type(v) for v in value.values()] == [int, dt.date, bool, float]


SCALARS = [
    # YAML 1.1 words, nulls, merge and value keys
    *["yes", "Yes", "NO", "on", "OFF", "y", "n", "true", "True", "TRUE", "tRue", "false"],
    *["null", "Null", "NULL", "nUll", "~", "=", "<<"],
    # floats, integers and sexagesimals in both YAML versions' spellings
    *[".inf", "-.Inf", "+.INF", ".INf", ".nan", ".NaN", ".Nan", "+.nan", ".5", "-.5", "+.5"],
    *["1.", "1.5", "1_0.5", "-0.0", "1e3", "1.0e3", "1.0e+3", "1E-3", "0", "-0", "+0", "7"],
    *["-7", "+7", "017", "08", "0o17", "0O17", "0x1F", "0X1F", "0b11", "0B11", "_1", "_.5"],
    *["1_", "1__0", "1:30", "-1:30", "190:20:30", "1:30.5"],
    # dates and timestamps, valid and not
    *["2024-01-02", "2024-1-2", "2024-02-30", "0001-01-01", "2024-01-02T03:04:05Z"],
    *["2024-01-02t03:04:05.5+02:00", "2024-01-02 3:04:05 -5", "2024-01-02T03:04"],
    # quoted look-alikes
    *["'2024-01-02'", '"2024-01-02"', "'yes'", '"017"', "''", '""', "'a''b'", '"\\x41"'],
    # plain text and indicators
    *["plain text", "text: here", "x#y", "-x", "?x", ":x", "---x", "...x", "@x", "`x"],
    *["%x", "!x", "&x", "*x", "|x", ">x", "[x]", "{x: 1}"],
]
CONTEXTS = {
    "value": "a: {}\n",
    "value-at-end-of-text": "a: {}",
    "item": "- {}\n",
    "value-on-next-line": "a:\n  {}\n",
    "item-indentless": "a:\n- {}\n",
    "key": "{}: v\n",
    "explicit-key": "? {}\n: v\n",
    "continuation-line": "a: x\n  {}\n",
    "block-content": "a: |-\n  {}\n",
    "value-in-item": "- a: {}\n  b: c\n",
    "flow-item": "a: [{}]\n",
}


@pytest.mark.parametrize("context", CONTEXTS.values(), ids=CONTEXTS.keys())
def test_every_scalar_in_every_position_loads_as_libyaml_loads_it(context: str) -> None:
    mismatches = [
        text
        for text in (context.format(scalar) for scalar in SCALARS)
        if outcome(load_yaml, text) != outcome(load_yaml_reference, text)
    ]
    assert mismatches == []
