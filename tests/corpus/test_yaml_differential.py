"""The differential proof behind ``transforms.yaml_fast``: every real frontmatter and every
hostile file loads through ``load_yaml`` exactly as through libyaml (CSafeLoader), in
values, types and errors, and the real corpus mostly takes the fast path.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.integration.test_hostile import HOSTILE
from transforms.articles import ArticleRejected, split_frontmatter
from transforms.yaml_fast import LoadPath, load_yaml_reference, load_yaml_traced


def frontmatter_of(raw: bytes) -> str | None:
    """The YAML text ``parse_article`` hands to the loader, or None if it stops before."""
    try:
        text = raw.decode("utf-8")
        return split_frontmatter(text.removeprefix("\ufeff"))
    except (UnicodeDecodeError, ArticleRejected):
        return None


def fingerprint(value: Any, memo: dict[int, str]) -> str:
    """A digest of the value with every node's type, computed once per shared node, so an
    alias bomb (a few lines standing for millions of values) costs a few lines."""
    if isinstance(value, dict | list):
        if id(value) not in memo:
            items = value.items() if isinstance(value, dict) else enumerate(value)
            parts = [f"{fingerprint(k, memo)}={fingerprint(v, memo)}" for k, v in items]
            text = f"{type(value).__name__}({','.join(parts)})"
            memo[id(value)] = hashlib.sha256(text.encode()).hexdigest()
        return memo[id(value)]
    if isinstance(value, set | frozenset | tuple):
        return f"{type(value).__name__}{sorted(fingerprint(v, memo) for v in value)}"
    return f"{type(value).__name__}:{value!r}"


def load_both(text: str) -> tuple[tuple[str, ...], tuple[str, ...], LoadPath]:
    """(libyaml's outcome, load_yaml's outcome, the path load_yaml took)."""
    try:
        expected = ("value", fingerprint(load_yaml_reference(text), {}))
    except Exception as error:
        expected = ("error", type(error).__name__, str(error))
    try:
        value, path = load_yaml_traced(text)
    except Exception as error:
        return expected, ("error", type(error).__name__, str(error)), "reference"
    return expected, ("value", fingerprint(value, {})), path


HOSTILE_YAML = {
    name: text
    for name, (raw, _status, _kind) in sorted(HOSTILE.items())
    if (text := frontmatter_of(raw)) is not None
}


@pytest.mark.parametrize("text", HOSTILE_YAML.values(), ids=HOSTILE_YAML.keys())
def test_hostile_files_load_as_libyaml_loads_them(text: str) -> None:
    expected, actual, _path = load_both(text)
    assert actual == expected


@pytest.mark.slow
def test_every_real_frontmatter_loads_as_libyaml_loads_it(real_corpus: Path) -> None:
    paths: Counter[str] = Counter()
    mismatches = []
    for path in sorted(real_corpus.rglob("*.md")):
        text = frontmatter_of(path.read_bytes())
        if text is None:
            paths["no frontmatter"] += 1
            continue
        expected, actual, load_path = load_both(text)
        if actual != expected:
            mismatches.append(path.relative_to(real_corpus).as_posix())
        paths[load_path if expected[0] == "value" else "libyaml error"] += 1
    loaded = paths["fast"] + paths["reference"]
    print(f"\nreal frontmatter: {dict(paths)}; fast path {paths['fast'] / loaded:.2%} of loaded")
    assert mismatches == []
    assert paths["fast"] > 0.9 * loaded
