"""The generated corpus has the published corpus's shape, as the pipeline itself sees it.

Both corpora go through ``parse_batch``; each figure below is compared in one of two ways.

*Drawn* figures are ones the generator samples straight from tables measured on the
published corpus (listings per article, answers without points, links to missing ids).
Their expected value is the published one, so the only difference is the generator's
sampling noise: they must agree within four standard errors of a share over the
generated sample, ``4 * sqrt(p * (1 - p) / n)``, which a correct generator misses about
once in 16,000 runs.

*Emergent* figures come out of how the generator builds files (sizes, points and rows per
article, how often sections, nested lists, code and LaTeX appear). A benchmark's cost is
proportional to them (bytes read, rows written), so they must agree within a factor of
1.5: the benchmark's figures then stay within the same band as a run on published data,
while a generator that drifts (say, doubles its answers) fails.
"""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from flows.corpus_gen import generate_corpus
from flows.storage import discover_article_files, read_source_files
from transforms.batch import SourceFile, parse_batch

pytestmark = pytest.mark.slow

GENERATED_ARTICLES = 10_000
FACTOR = 1.5
STANDARD_ERRORS = 4


@dataclass(frozen=True)
class Figure:
    value: float
    sample_size: int


Tables = dict[str, pa.Table]


def _share(hits: int, total: int) -> Figure:
    return Figure(hits / total, total)


def _points_by_article(tables: Tables) -> Counter[int]:
    return Counter(tables["answer_points"].column("article_id").to_pylist())


def _articles_with(tables: Tables, test: Callable[[str], bool], column: str) -> Figure:
    ids = tables[column.split(".")[0]].column("article_id").to_pylist()
    texts = tables[column.split(".")[0]].column(column.split(".")[1]).to_pylist()
    hits = {article_id for article_id, text in zip(ids, texts, strict=True) if test(text)}
    return _share(len(hits), tables["articles"].num_rows)


def _median_file_bytes(tables: Tables) -> Figure:
    sizes = tables["etl.source_files"].column("size_bytes").to_pylist()
    return Figure(statistics.median(sizes), len(sizes))


def _median_points(tables: Tables) -> Figure:
    counts = tables["articles"].column("point_count").to_pylist()
    return Figure(statistics.median(counts), len(counts))


def _rows_per_article(table: str) -> Callable[[Tables], Figure]:
    return lambda tables: Figure(
        tables[table].num_rows / tables["articles"].num_rows, tables["articles"].num_rows
    )


def _cross_listed(tables: Tables) -> Figure:
    listings = Counter(tables["article_listings"].column("article_id").to_pylist())
    return _share(sum(1 for count in listings.values() if count > 1), len(listings))


def _without_points(tables: Tables) -> Figure:
    counts = tables["articles"].column("point_count").to_pylist()
    return _share(counts.count(0), len(counts))


def _missing_related(tables: Tables) -> Figure:
    ids = set(tables["articles"].column("article_id").to_pylist())
    related = tables["related_articles"].column("related_article_id").to_pylist()
    return _share(sum(1 for i in related if i not in ids), len(related))


def _with_sections(tables: Tables) -> Figure:
    return _articles_with(tables, lambda section: section is not None, "answer_points.section")


def _has_bullet(body: str) -> bool:
    return re.search(r"^\s*[-*] ", body, re.MULTILINE) is not None


DRAWN = {
    "cross-listed share of articles": _cross_listed,
    "share of answers without points": _without_points,
    "share of related links to missing ids": _missing_related,
}
EMERGENT: dict[str, Callable[[Tables], Figure]] = {
    "median file bytes": _median_file_bytes,
    "median points per article": _median_points,
    "points per article": _rows_per_article("answer_points"),
    "keywords per article": _rows_per_article("article_keywords"),
    "related links per article": _rows_per_article("related_articles"),
    "share with sections": _with_sections,
    "share with bullets in points": lambda t: _articles_with(t, _has_bullet, "answer_points.body"),
    "share with code fences": lambda t: _articles_with(
        t, lambda text: "```" in text, "articles.answer_markdown"
    ),
    "share with LaTeX": lambda t: _articles_with(
        t, lambda text: "$" in text or "\\(" in text, "articles.answer_markdown"
    ),
}


def parse_corpus(root: Path) -> Tables:
    """Every file parsed, as the warehouse's tables: content from each article's first
    listing by path."""
    paths = discover_article_files(root)
    parsed = parse_batch(
        SourceFile(path, None, raw) for path, raw in read_source_files(root, paths)
    )
    with duckdb.connect() as con:
        for name, table in parsed.items():
            con.register(name, table)
        con.execute(
            "create table articles as select * from pages qualify row_number() over "
            "(partition by article_id order by source_path) = 1"
        )
        derived = {
            "articles": "select * from articles",
            "article_listings": "select * from pages",
            "etl.source_files": "select * from files",
            "answer_points": "select a.article_id, p.* from articles a join page_points p "
            "using (source_path, sha256)",
            "article_keywords": "select a.article_id, k.* from articles a join page_keywords k "
            "using (source_path, sha256)",
            "related_articles": "select a.article_id, r.* from articles a "
            "join page_related_links r using (source_path, sha256)",
        }
        return {name: con.execute(query).to_arrow_table() for name, query in derived.items()}


@pytest.fixture(scope="module")
def corpora(real_corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Tables, Tables]:
    generated = tmp_path_factory.mktemp("generated")
    generate_corpus(generated, GENERATED_ARTICLES)
    return parse_corpus(real_corpus), parse_corpus(generated)


@pytest.mark.parametrize("name", DRAWN, ids=list(DRAWN))
def test_drawn_figure_within_sampling_noise(corpora: tuple[Tables, Tables], name: str) -> None:
    real, generated = (DRAWN[name](tables) for tables in corpora)
    noise = STANDARD_ERRORS * math.sqrt(real.value * (1 - real.value) / generated.sample_size)
    print(f"{name}: published {real.value:.4f}, generated {generated.value:.4f} ± {noise:.4f}")
    assert abs(generated.value - real.value) <= noise


@pytest.mark.parametrize("name", EMERGENT, ids=list(EMERGENT))
def test_emergent_figure_within_factor(corpora: tuple[Tables, Tables], name: str) -> None:
    real, generated = (EMERGENT[name](tables) for tables in corpora)
    print(f"{name}: published {real.value:.4g}, generated {generated.value:.4g}")
    assert real.value / FACTOR <= generated.value <= real.value * FACTOR
