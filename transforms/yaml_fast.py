"""YAML loading through yaml-rs where it provably equals libyaml, and libyaml everywhere else.

yaml-rs (Rust, YAML 1.2) loads a frontmatter several times faster than PyYAML's
CSafeLoader (libyaml, YAML 1.1), but the two disagree on whole classes of input: 1.1
booleans, octals and sexagesimals, exponent and dotted floats, merge and value keys, tags,
aliases (copied, not shared), duplicate and non-text keys, datetimes, multi-document
streams, control and line-break characters, and nesting deep enough to crash yaml-rs.
``is_proven_text`` and ``is_proven_value`` admit only documents outside every such class;
``tests/unit/test_yaml_fast.py`` and ``tests/corpus/test_yaml_differential.py`` are the
proof. Anything else, and every yaml-rs error, is loaded by libyaml, so values and error
messages stay libyaml's.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Literal

import yaml
import yaml_rs

LoadPath = Literal["fast", "reference"]

# yaml-rs recurses natively (~0.6 KB of stack per level) and kills the process somewhere
# past 8,000 levels on an 8 MB stack. Without compact chains ('- - x'), which the text
# check refuses, a line opens at most two levels, so this caps the depth near 500.
MAX_LINES = 250
# libyaml's constructor recurses in Python: deep documents end in RecursionError there.
MAX_DEPTH = 32

# yaml-rs copies what an alias names where libyaml shares it, so a few lines of aliases
# can stand for millions of values: any alias at all is an error, and libyaml takes over.
NO_ALIASES = yaml_rs.AliasLimits(max_total_replayed_events=0)
_PRINTABLE_ASCII = bytes(range(0x20, 0x7F)) + b"\n"
_HIGH_BYTES = bytes(range(0x80, 0x100))
# UTF-8 of C1 controls and NEL, LINE and PARAGRAPH SEPARATOR, BOM, U+FFFE/FFFF, surrogates.
_UNPROVEN_CHARACTERS = re.compile(
    rb"\xc2[\x80-\x9f]|\xe2\x80[\xa8\xa9]|\xef\xbb\xbf|\xef\xbf[\xbe\xbf]|\xed[\xa0-\xbf]"
)
_NUMBER_READ_BY_ONE_VERSION = (
    rb"[-+]?(?:0[0-9a-zA-Z_]|\.[0-9a-zA-Z_]|_[0-9_.]|[0-9][0-9_]*(?:\.[0-9_]*)?[eE])"
)
# A tag, anchor, flow collection, number as above, or quoted text yaml-rs reads as a date.
_UNPROVEN_NODE = rb"[\[{!&]|'[0-9]|\"[0-9\\]|" + _NUMBER_READ_BY_ONE_VERSION
# The lookaheads fail the usual node (a word) at once; a second indicator is a compact chain.
_AFTER_INDICATOR = rb" +(?=[-+.0-9_\[{!&'\"?:])(?:%s|[-?:](?:[ \n]|\Z))" % _UNPROVEN_NODE
_AT_LINE_START = rb"\n *(?=[-+.0-9_\[{!&'\"%%])(?:%s|[0-9]{4}-|---|\.\.\.|%%)" % _UNPROVEN_NODE
# One pattern per literal lead: an alternation of leads scans several times slower.
_UNPROVEN_NODE_STARTS = tuple(
    re.compile(pattern)
    for pattern in (
        b":" + _AFTER_INDICATOR,
        b"-" + _AFTER_INDICATOR,
        rb"\?" + _AFTER_INDICATOR,
        _AT_LINE_START,
    )
)
# Exact types: a datetime is a date subclass, and the two disagree on its forms and zones.
_SCALARS = (bool, int, float, type(None), dt.date)
# libyaml converts decimal text to int with Python's digit limit, yaml-rs without it.
_INT64 = range(-(2**63), 2**63)
# PyYAML's own implicit resolvers, keyed by first character as CSafeLoader looks them up.
_RETYPED = {
    first: re.compile("|".join(f"(?:{regexp.pattern})" for _tag, regexp in resolvers), re.X)
    for first, resolvers in yaml.CSafeLoader.yaml_implicit_resolvers.items()
}


def load_yaml(text: str) -> Any:
    """The document as CSafeLoader loads it, or CSafeLoader's exception."""
    return load_yaml_traced(text)[0]


def load_yaml_reference(text: str) -> Any:
    """libyaml through PyYAML's CSafeLoader: the behaviour ``load_yaml`` must reproduce."""
    return yaml.load(text, Loader=yaml.CSafeLoader)


def load_yaml_traced(text: str) -> tuple[Any, LoadPath]:
    """``load_yaml`` and which loader produced the value, so tests can see the fast path."""
    if is_proven_text(text):
        try:
            data = yaml_rs.loads(text, alias_limits=NO_ALIASES)
        except Exception:
            # Not swallowed: libyaml loads the text again and raises its own error.
            data = None
        if type(data) is dict and is_proven_value(data) and not _ends_in_line_break(data):
            return data, "fast"
    return load_yaml_reference(text), "reference"


def is_proven_text(text: str) -> bool:
    """False for text that may load differently, or crash yaml-rs.

    Refused: characters libyaml rejects or reads as line breaks, tabs, CRs and byte-order
    marks; document markers and directives; at the start of a node, a tag, anchor, flow
    collection, second block indicator, or a number only one YAML version reads as
    written; ``MAX_LINES`` lines or more. Flow collections are refused whole so that
    nodes start only after an indicator or a line break, where the patterns look.
    """
    if text.count("\n") >= MAX_LINES:
        return False
    raw = ("\n" + text).encode("utf-8", "surrogatepass")
    beyond_ascii = raw.translate(None, _PRINTABLE_ASCII)
    if beyond_ascii and (
        beyond_ascii.translate(None, _HIGH_BYTES) or _UNPROVEN_CHARACTERS.search(beyond_ascii)
    ):
        return False
    return not any(pattern.search(raw) for pattern in _UNPROVEN_NODE_STARTS)


def is_proven_value(value: Any, depth: int = 0) -> bool:
    """False when libyaml could build something else from text that yields this value: a
    text YAML 1.1 would resolve to a bool, number, null, timestamp, merge or value key; a
    key that is not text; a datetime (forms and zones differ); an integer beyond 64 bits;
    any other type; nesting deeper than ``MAX_DEPTH``."""
    if depth > MAX_DEPTH:
        return False
    kind = type(value)
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str:
                return False
            retyped = _RETYPED.get(key[:1])
            if retyped is not None and retyped.match(key):
                return False
            item_kind = type(item)
            if item_kind is str:
                retyped = _RETYPED.get(item[:1])
                if retyped is not None and retyped.match(item):
                    return False
            elif item_kind is int:
                if item not in _INT64:
                    return False
            elif item_kind not in _SCALARS and not is_proven_value(item, depth + 1):
                return False
        return True
    if kind is list:
        return all(is_proven_value(item, depth + 1) for item in value)
    if kind is str:
        retyped = _RETYPED.get(value[:1])
        return retyped is None or retyped.match(value) is None
    if kind is int:
        return value in _INT64
    return kind in _SCALARS


def _ends_in_line_break(value: Any) -> bool:
    """Whether the document's last node is text ending in a line break.

    A block scalar that runs to the end of the text gets a final line break from yaml-rs
    but not from libyaml when the text has none, and only the last node can run there.
    """
    while True:
        kind = type(value)
        if kind is dict and value:
            key, value = next(reversed(value.items()))
            if key.endswith("\n"):
                return True
        elif kind is list and value:
            value = value[-1]
        else:
            return kind is str and value.endswith("\n")
