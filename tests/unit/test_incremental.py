from __future__ import annotations

import pyarrow as pa

from transforms import schemas
from transforms.incremental import (
    LoadPlan,
    ManifestEntry,
    listings_to_reparse,
    plan_load,
    stamp_manifest,
    touched_articles,
)


def entry(
    article_id: int | None, size: int = 10, mtime: int = 100, status: str = "loaded", sha: str = "s"
) -> ManifestEntry:
    return ManifestEntry(size, mtime, sha, status, article_id, "run-0", "run-0")


PREVIOUS = {
    "a.md": entry(1),
    "b.md": entry(2),
    "c.md": entry(2),
    "d.md": entry(3),
    "bad.md": entry(None, status="rejected"),
}


def test_plan_parses_new_changed_and_not_loaded_files() -> None:
    stats = {
        "a.md": (10, 100),
        "b.md": (11, 100),
        "c.md": (10, 100),
        "bad.md": (10, 100),
        "new.md": (5, 5),
    }
    plan = plan_load(["a.md", "b.md", "bad.md", "c.md", "new.md"], stats, PREVIOUS)
    assert plan == LoadPlan(
        parse=["b.md", "bad.md", "new.md"], deleted=["d.md"], unchanged=["a.md", "c.md"]
    )
    assert plan.changed_count == 4


def test_mtime_change_alone_means_parse() -> None:
    plan = plan_load(["a.md"], {"a.md": (10, 101)}, {"a.md": entry(1)})
    assert plan.parse == ["a.md"]


def test_without_a_manifest_everything_is_parsed() -> None:
    assert plan_load(["a.md"], {"a.md": (1, 1)}, {}) == LoadPlan(["a.md"], [], [])


def test_other_listings_of_touched_articles_are_parsed_again() -> None:
    plan = LoadPlan(parse=["b.md", "new.md"], deleted=["d.md"], unchanged=["a.md", "c.md"])
    touched = touched_articles(plan, PREVIOUS, parsed_ids=[7])
    assert touched == {2, 3, 7}
    assert listings_to_reparse(plan, PREVIOUS, touched) == ["c.md"]


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
    stamped = stamp_manifest(source_files, stats, PREVIOUS, "run-9")
    assert stamped.select(["mtime_ns", "first_seen_run_id", "last_changed_run_id"]).to_pylist() == [
        {"mtime_ns": 111, "first_seen_run_id": "run-0", "last_changed_run_id": "run-0"},
        {"mtime_ns": 222, "first_seen_run_id": "run-0", "last_changed_run_id": "run-9"},
        {"mtime_ns": 333, "first_seen_run_id": "run-9", "last_changed_run_id": "run-9"},
    ]
