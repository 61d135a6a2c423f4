"""On every real answer the line scanner's split equals markdown-it's CommonMark split."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.storage import discover_article_files
from transforms.answer_lines import scan_blocks
from transforms.answers import decode_answer, split_answer_points, split_answer_points_commonmark
from transforms.articles import load_frontmatter, split_frontmatter

pytestmark = pytest.mark.slow


def test_every_real_answer_splits_as_commonmark_does(real_corpus: Path) -> None:
    scanned = disagreements = total = 0
    for path in discover_article_files(real_corpus):
        data = load_frontmatter(split_frontmatter((real_corpus / path).read_text("utf-8")))
        if not isinstance(data.get("answer"), str):
            continue
        answer = decode_answer(data["answer"])
        total += 1
        scanned += scan_blocks(answer.split("\n")) is not None
        disagreements += split_answer_points(answer) != split_answer_points_commonmark(answer)
    print(f"{scanned:,} of {total:,} answers took the line scanner")
    assert disagreements == 0
    assert scanned > 0.9 * total
