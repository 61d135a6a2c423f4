"""The benchmark corpora: generated, scaled and edited files all parse, deterministically."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from flows.corpus_gen import edit_files, generate_corpus, scale_corpus
from flows.storage import discover_article_files, read_source_files
from transforms.batch import SourceFile, parse_batch

ARTICLES = 1500


def read_corpus(root: Path) -> dict[str, bytes]:
    return {path: (root / path).read_bytes() for path in discover_article_files(root)}


Tables = dict[str, pa.Table]


def parse_paths(root: Path, paths: list[str]) -> Tables:
    """Parse files in the given order, as one staged batch does."""
    return parse_batch(SourceFile(path, None, raw) for path, raw in read_source_files(root, paths))


def links_by_article(tables: Tables) -> list[dict[str, Any]]:
    """Every page's related links, with the id of the article the page lists."""
    article_ids = {
        (page["source_path"], page["sha256"]): page["article_id"] for page in rows(tables["pages"])
    }
    return [
        {**link, "article_id": article_ids[link["source_path"], link["sha256"]]}
        for link in rows(tables["page_related_links"])
    ]


def rows(table: pa.Table) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = table.to_pylist()
    return found


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("generated")
    generate_corpus(root, ARTICLES, seed=7)
    return root


@pytest.fixture(scope="module")
def parsed(corpus: Path) -> Tables:
    return parse_paths(corpus, discover_article_files(corpus))


def test_same_seed_gives_identical_files(tmp_path: Path) -> None:
    first = generate_corpus(tmp_path / "a", 60, seed=3)
    second = generate_corpus(tmp_path / "b", 60, seed=3)
    assert first == second == len(read_corpus(tmp_path / "a"))
    assert read_corpus(tmp_path / "a") == read_corpus(tmp_path / "b")


def test_other_seed_gives_other_files(tmp_path: Path) -> None:
    generate_corpus(tmp_path / "a", 60, seed=3)
    generate_corpus(tmp_path / "b", 60, seed=4)
    first, second = read_corpus(tmp_path / "a"), read_corpus(tmp_path / "b")
    assert not set(first.items()) & set(second.items())


def test_layout_mirrors_published_corpus(corpus: Path, parsed: Tables) -> None:
    """``content/learn/<subject slug>/<file_name>``, the URL naming the same folder."""
    pages = rows(parsed["pages"])
    assert len(pages) >= ARTICLES
    for page in pages:
        *_, folder, name = page["source_path"].split("/")
        assert page["source_path"].startswith("content/learn/")
        assert page["url"] == f"/learn/{folder}/questions/{name.removesuffix('.md')}"
        assert page["subject_slug"] == folder


def test_every_generated_file_parses(corpus: Path, parsed: Tables) -> None:
    files = discover_article_files(corpus)
    assert len(files) > ARTICLES
    assert parsed["files"].column("status").to_pylist() == ["loaded"] * len(files)
    assert parsed["pages"].num_rows == len(files)
    assert len(set(parsed["pages"].column("article_id").to_pylist())) == ARTICLES


def test_nothing_is_lost_in_escaping(parsed: Tables) -> None:
    """Answers are written with ``\\n`` escapes, yet LaTeX like ``\\neq`` reads back intact."""
    pages = rows(parsed["pages"])
    latex = [p["answer_markdown"] for p in pages if "\\neq" in p["answer_markdown"]]
    assert latex
    assert all("\\neq y" in answer for answer in latex)
    assert not any(re.search(r"\\n(?!eq )", p["answer_markdown"]) for p in pages)


def _has(pattern: str, text: str | None) -> bool:
    return bool(text) and re.search(pattern, text or "", re.MULTILINE) is not None


FEATURES = {
    "numbered points": lambda a, points: len(points) > 1,
    "answer without points": lambda a, points: not points,
    "bold lead-ins": lambda a, points: any(p["heading"] for p in points),
    "sections": lambda a, points: any(p["section"] for p in points),
    "numbering restarts per section": lambda a, points: any(
        p["list_number"] < p["point_index"] for p in points
    ),
    "nested bullets in a point": lambda a, points: any(_has(r"^- ", p["body"]) for p in points),
    "code fence": lambda a, points: "```" in a["answer_markdown"],
    "display LaTeX": lambda a, points: "$$" in a["answer_markdown"],
    "headings outside points": lambda a, points: _has(r"^### ", a["answer_conclusion"]),
    "conclusion": lambda a, points: bool(points) and bool(a["answer_conclusion"]),
    "no score (later listings)": lambda a, points: a["score"] is None,
}


@pytest.mark.parametrize("feature", FEATURES, ids=list(FEATURES))
def test_generated_answers_have_feature(parsed: Tables, feature: str) -> None:
    points_by_page: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for point in rows(parsed["page_points"]):
        points_by_page[point["source_path"], point["sha256"]].append(point)
    pages = rows(parsed["pages"])
    assert any(FEATURES[feature](p, points_by_page[p["source_path"], p["sha256"]]) for p in pages)


def test_code_fences_hide_list_lines(parsed: Tables) -> None:
    """A numbered line inside a fence is code, never a point."""
    bodies = parsed["page_points"].column("body").to_pylist()
    assert not any(body.startswith("not a point") for body in bodies)
    assert any("1. not a point" in body for body in bodies)


def test_cross_listed_articles_share_content_not_listing(parsed: Tables) -> None:
    listings: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for page in rows(parsed["pages"]):
        listings[page["article_id"]].append(page)
    content = {
        article_id: {page["content_sha256"] for page in pages}
        for article_id, pages in listings.items()
    }
    cross_listed = [i for i, found in listings.items() if len(found) > 1]
    assert cross_listed
    for article_id in cross_listed:
        assert len({listing["subject_slug"] for listing in listings[article_id]}) == len(
            listings[article_id]
        )
        assert len({listing["source_path"].split("/")[-1] for listing in listings[article_id]}) == 1
        assert len(content[article_id]) == 1


def test_related_links_point_at_existing_and_missing_articles(parsed: Tables) -> None:
    articles = {p["article_id"]: p for p in rows(parsed["pages"])}
    related = links_by_article(parsed)
    existing = [r for r in related if r["related_article_id"] in articles]
    missing = [r for r in related if r["related_article_id"] not in articles]
    assert existing and missing
    assert len(missing) < len(existing)
    assert all(r["related_title"] == articles[r["related_article_id"]]["title"] for r in existing)
    assert all(r["related_article_id"] != r["article_id"] for r in related)
    assert {r["rank"] for r in related} == set(range(1, max(r["rank"] for r in related) + 1))


def test_subject_folders_with_two_spellings(parsed: Tables) -> None:
    spellings: dict[str, set[str]] = defaultdict(set)
    for page in rows(parsed["pages"]):
        spellings[page["subject_slug"]].add(page["subject_as_written"])
    assert any(len(written) > 1 for written in spellings.values())


def test_generate_refuses_a_folder_with_files(tmp_path: Path) -> None:
    (tmp_path / "old.md").write_text("x")
    with pytest.raises(FileExistsError):
        generate_corpus(tmp_path, 1)


def copy_paths(paths: list[str], copy: int) -> list[str]:
    return paths if copy == 0 else [f"copy-{copy}/{path}" for path in paths]


def shifted(table: pa.Table, shift: int, paths: dict[str, str]) -> list[dict[str, Any]]:
    """Rows with ids moved back by ``shift`` and source paths mapped back to copy 0."""
    moved = []
    for row in rows(table):
        for key in ("article_id", "related_article_id"):
            if row.get(key) is not None:
                row[key] -= shift
        if "source_path" in row:
            row["source_path"] = paths[row["source_path"]]
        moved.append(row)
    return moved


@pytest.fixture(scope="module")
def scaled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, int]:
    source = tmp_path_factory.mktemp("source")
    target = tmp_path_factory.mktemp("scaled") / "corpus"
    generate_corpus(source, 150, seed=11)
    return source, target, scale_corpus(source, target, 3, workers=2)


def test_scale_writes_factor_times_the_files(scaled: tuple[Path, Path, int]) -> None:
    source, target, written = scaled
    files = discover_article_files(source)
    assert written == 3 * len(files) == len(discover_article_files(target))
    assert sorted(discover_article_files(target)) == sorted(
        path for copy in range(3) for path in copy_paths(files, copy)
    )
    assert read_corpus(source) == {path: (target / path).read_bytes() for path in files}


def test_scaled_copies_are_copy_zero_with_ids_shifted(scaled: tuple[Path, Path, int]) -> None:
    source, target, _ = scaled
    files = discover_article_files(source)
    base = parse_paths(target, files)
    base_ids = set(base["pages"].column("article_id").to_pylist())
    related_ids = base["page_related_links"].column("related_article_id").to_pylist()
    span = max([*base_ids, *related_ids]) - min([*base_ids, *related_ids])
    seen_ids = set(base_ids)
    for copy in (1, 2):
        paths = copy_paths(files, copy)
        tables = parse_paths(target, paths)
        assert tables["files"].column("status").to_pylist() == ["loaded"] * len(paths)
        ids = tables["pages"].column("article_id").to_pylist()
        shift = ids[0] - base["pages"].column("article_id")[0].as_py()
        assert shift > copy * span
        assert not set(ids) & seen_ids
        seen_ids.update(ids)
        back = dict(zip(paths, files, strict=True))
        for name in ("pages", "page_points", "page_keywords", "page_related_links"):
            # the bytes differ (ids are shifted in them): compare what was parsed
            copied, original = (t[name].drop_columns(["sha256"]) for t in (tables, base))
            assert shifted(copied, shift, back) == rows(original), name


def test_scale_refuses_bad_factor(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="factor"):
        scale_corpus(tmp_path, tmp_path / "out", 0)


@pytest.fixture
def small_corpus(tmp_path: Path) -> Path:
    generate_corpus(tmp_path / "corpus", 200, seed=5)
    return tmp_path / "corpus"


def test_edit_changes_exactly_the_returned_files(small_corpus: Path) -> None:
    before = read_corpus(small_corpus)
    edited = edit_files(small_corpus, 0.05, seed=1)
    after = read_corpus(small_corpus)
    assert len(edited) == round(0.05 * len(before)) > 0
    assert sorted(path for path in before if before[path] != after[path]) == edited
    changed = parse_paths(small_corpus, edited)
    original = parse_batch(SourceFile(path, None, before[path]) for path in edited)
    assert changed["files"].column("status").to_pylist() == ["loaded"] * len(edited)
    assert changed["pages"].column("article_id") == original["pages"].column("article_id")
    for new, old in zip(rows(changed["pages"]), rows(original["pages"]), strict=True):
        assert new["answer_markdown"].startswith(old["answer_markdown"])
        assert new["answer_markdown"] != old["answer_markdown"]


def test_edit_is_deterministic(tmp_path: Path) -> None:
    for name in ("a", "b"):
        generate_corpus(tmp_path / name, 100, seed=2)
    assert edit_files(tmp_path / "a", 0.1, seed=9) == edit_files(tmp_path / "b", 0.1, seed=9)
    assert read_corpus(tmp_path / "a") == read_corpus(tmp_path / "b")


@pytest.mark.parametrize("share", [0.0, 1.0], ids=["none", "all"])
def test_edit_share_bounds(small_corpus: Path, share: float) -> None:
    files = discover_article_files(small_corpus)
    assert edit_files(small_corpus, share) == (files if share else [])


def test_edit_refuses_share_out_of_range(small_corpus: Path) -> None:
    with pytest.raises(ValueError, match="share"):
        edit_files(small_corpus, 1.5)
