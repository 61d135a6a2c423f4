"""Which files a run must parse, given the previous run's manifest.

A run parses new files, files whose size or modification time changed, and
files that were not loaded last time; every listing of an article one of those
touches is parsed too, so the article's content comes from its first listing
exactly as in a full rebuild. Everything else is carried over unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from transforms import schemas


@dataclass(frozen=True, slots=True)
class ManifestEntry:
    size_bytes: int | None
    mtime_ns: int | None
    sha256: str | None
    status: str
    article_id: int | None
    first_seen_run_id: str | None
    last_changed_run_id: str | None


@dataclass(frozen=True, slots=True)
class LoadPlan:
    parse: list[str]
    deleted: list[str]
    unchanged: list[str]

    @property
    def changed_count(self) -> int:
        return len(self.parse) + len(self.deleted)


def plan_load(
    paths: Sequence[str],
    stats: Mapping[str, tuple[int, int]],
    previous: Mapping[str, ManifestEntry],
) -> LoadPlan:
    """Split the files found into those to parse and those unchanged since the manifest."""
    parse: list[str] = []
    unchanged: list[str] = []
    for path in paths:
        entry = previous.get(path)
        same = (
            entry is not None
            and entry.status == "loaded"
            and (entry.size_bytes, entry.mtime_ns) == stats.get(path)
        )
        (unchanged if same else parse).append(path)
    current = set(paths)
    deleted = sorted(path for path in previous if path not in current)
    return LoadPlan(parse, deleted, unchanged)


def touched_articles(
    plan: LoadPlan, previous: Mapping[str, ManifestEntry], parsed_ids: Iterable[int]
) -> set[int]:
    """Articles whose listings changed: their old ids, and the ids parsed files hold now."""
    old = {previous[path].article_id for path in [*plan.parse, *plan.deleted] if path in previous}
    return {article_id for article_id in old if article_id is not None} | set(parsed_ids)


def listings_to_reparse(
    plan: LoadPlan, previous: Mapping[str, ManifestEntry], touched: set[int]
) -> list[str]:
    """Unchanged files that list a touched article: parsed again for the first-listing rule."""
    return [path for path in plan.unchanged if previous[path].article_id in touched]


def stamp_manifest(
    source_files: pa.Table,
    stats: Mapping[str, tuple[int, int]],
    previous: Mapping[str, ManifestEntry],
    run_id: str,
) -> pa.Table:
    """Fill the manifest columns of freshly parsed files: mtime, first seen, last changed."""
    paths = source_files.column("source_path").to_pylist()
    shas = source_files.column("sha256").to_pylist()
    mtimes, first_seen, last_changed = [], [], []
    for path, sha in zip(paths, shas, strict=True):
        entry = previous.get(path)
        mtimes.append(stats[path][1] if path in stats else None)
        first_seen.append(entry.first_seen_run_id if entry and entry.first_seen_run_id else run_id)
        unchanged = entry is not None and entry.sha256 == sha and entry.last_changed_run_id
        last_changed.append(entry.last_changed_run_id if unchanged and entry else run_id)
    stamped = source_files
    for name, values in (
        ("mtime_ns", mtimes),
        ("first_seen_run_id", first_seen),
        ("last_changed_run_id", last_changed),
    ):
        position = stamped.schema.get_field_index(name)
        field = schemas.SOURCE_FILES.field(name)
        stamped = stamped.set_column(position, field, pa.array(values, field.type))
    return stamped


def manifest_from_table(source_files: pa.Table) -> dict[str, ManifestEntry]:
    """The manifest as entries by path, from the lake's etl.source_files."""
    return {
        row["source_path"]: ManifestEntry(
            size_bytes=row.get("size_bytes"),
            mtime_ns=row.get("mtime_ns"),
            sha256=row.get("sha256"),
            status=row["status"],
            article_id=row.get("article_id"),
            first_seen_run_id=row.get("first_seen_run_id"),
            last_changed_run_id=row.get("last_changed_run_id"),
        )
        for row in source_files.to_pylist()
    }


def keep_first_listings(tables: Mapping[str, pa.Table], winners: set[int]) -> dict[str, pa.Table]:
    """Keep only the content rows of the articles this batch is the first listing of."""
    kept = dict(tables)
    for name in schemas.ARTICLE_TABLES:
        table = tables[name]
        kept[name] = table.filter(
            pc.is_in(table.column("article_id"), pa.array(sorted(winners), pa.int64()))
        )
    return kept
