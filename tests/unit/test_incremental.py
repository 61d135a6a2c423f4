from __future__ import annotations

import random
from collections.abc import Mapping

import pyarrow as pa

from transforms import schemas
from transforms.incremental import (
    MANIFEST,
    ManifestEntry,
    carried_files,
    empty_manifest,
    file_stats,
    found_files,
    listings_to_reparse,
    manifest_entries,
    plan_load,
    stamp_manifest,
    touched_articles,
)


def entry(
    path: str, article_id: int | None, size: int = 10, mtime: int = 100, status: str = "loaded"
) -> dict[str, object]:
    return {
        "source_path": path,
        "size_bytes": size,
        "mtime_ns": mtime,
        "sha256": "s",
        "status": status,
        "article_id": article_id,
        "first_seen_run_id": "run-0",
        "last_changed_run_id": "run-0",
    }


def found(stats: Mapping[str, tuple[int, int] | None]) -> pa.Table:
    """The walk's table of these files; None for a file it could not stat."""
    paths = list(stats)
    return found_files(
        paths,
        [s[0] if s else None for s in stats.values()],
        [s[1] if s else None for s in stats.values()],
    )


def manifest(*rows: dict[str, object]) -> pa.Table:
    return pa.Table.from_pylist(list(rows), schema=MANIFEST)


PREVIOUS = manifest(
    entry("a.md", 1),
    entry("b.md", 2),
    entry("c.md", 2),
    entry("d.md", 3),
    entry("bad.md", None, status="rejected"),
)


def test_plan_parses_new_changed_and_not_loaded_files() -> None:
    stats = {
        "a.md": (10, 100),
        "b.md": (11, 100),
        "c.md": (10, 100),
        "bad.md": (10, 100),
        "new.md": (5, 5),
    }
    plan = plan_load(found(stats), PREVIOUS)
    assert (plan.parse, plan.deleted) == (["b.md", "bad.md", "new.md"], ["d.md"])
    assert plan.unchanged.to_pylist() == [
        {"source_path": "a.md", "article_id": 1},
        {"source_path": "c.md", "article_id": 2},
    ]
    assert plan.changed_count == 4


def test_files_found_and_unchanged_files_come_in_path_order() -> None:
    paths = [f"{n:03}.md" for n in range(200)]
    previous = manifest(*(entry(path, n) for n, path in enumerate(paths)))
    plan = plan_load(found(dict.fromkeys(reversed(paths), (10, 100))), previous)
    assert plan.unchanged.column("source_path").to_pylist() == paths


def test_a_file_without_a_stat_is_parsed() -> None:
    plan = plan_load(found({"a.md": None, "c.md": (10, 100)}), PREVIOUS)
    assert plan.parse == ["a.md"]
    assert plan.unchanged.column("source_path").to_pylist() == ["c.md"]


def test_mtime_change_alone_means_parse() -> None:
    plan = plan_load(found({"a.md": (10, 101)}), manifest(entry("a.md", 1)))
    assert plan.parse == ["a.md"]


def test_without_a_manifest_everything_is_parsed() -> None:
    plan = plan_load(found({"a.md": (1, 1)}), empty_manifest())
    assert (plan.parse, plan.deleted, plan.unchanged.num_rows) == (["a.md"], [], 0)


def test_other_listings_of_touched_articles_are_parsed_again() -> None:
    stats = {"a.md": (10, 100), "b.md": (11, 100), "c.md": (10, 100), "new.md": (5, 5)}
    plan = plan_load(found(stats), PREVIOUS)
    touched = touched_articles(plan, PREVIOUS, parsed_ids=[7])
    assert touched == {2, 3, 7}
    again = listings_to_reparse(plan, touched)
    assert again == ["c.md"]
    assert carried_files(plan, again).to_pylist() == [{"source_path": "a.md", "article_id": 1}]


def test_file_stats_are_those_of_the_given_paths_that_have_one() -> None:
    files = found({"a.md": (1, 2), "b.md": None, "c.md": (3, 4)})
    assert file_stats(files, ["a.md", "b.md", "new.md"]) == {"a.md": (1, 2)}


def test_file_stats_of_any_subset_equal_a_search_of_every_file() -> None:
    """The search between the least and greatest path, in the walk's order, against a scan
    of every row; names beyond ASCII sort by code point in both."""
    names = [f"{folder}/{stem}.md" for folder in ("a", "B", "ü", "z", "日本") for stem in "xYé"]
    stats = {name: (number, number + 1) for number, name in enumerate(names)}
    files = found(stats)
    rng = random.Random(5)
    for _ in range(200):
        paths = [*rng.sample(names, rng.randint(1, len(names))), rng.choice(["0.md", "zz.md"])]
        assert file_stats(files, paths) == {path: stats[path] for path in paths if path in stats}


def test_manifest_entries_are_those_of_the_given_paths() -> None:
    assert manifest_entries(PREVIOUS, ["a.md", "new.md"]) == {
        "a.md": ManifestEntry(10, 100, "s", "loaded", 1, "run-0", "run-0")
    }


def test_stamp_manifest_keeps_history_of_unchanged_content() -> None:
    source_files = pa.Table.from_pylist(
        [
            {"source_path": "a.md", "sha256": "s", "status": "loaded"},
            {"source_path": "b.md", "sha256": "new", "status": "loaded"},
            {"source_path": "n.md", "sha256": "x", "status": "loaded"},
        ],
        schema=schemas.SOURCE_FILES,
    )
    stats = {"a.md": (10, 111), "b.md": (12, 222), "n.md": (1, 333)}
    stamped = stamp_manifest(
        source_files, stats, manifest_entries(PREVIOUS, ["a.md", "b.md"]), "run-9"
    )
    assert stamped.select(["mtime_ns", "first_seen_run_id", "last_changed_run_id"]).to_pylist() == [
        {"mtime_ns": 111, "first_seen_run_id": "run-0", "last_changed_run_id": "run-0"},
        {"mtime_ns": 222, "first_seen_run_id": "run-0", "last_changed_run_id": "run-9"},
        {"mtime_ns": 333, "first_seen_run_id": "run-9", "last_changed_run_id": "run-9"},
    ]
