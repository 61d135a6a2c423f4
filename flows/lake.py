"""File I/O around the transforms: discover sources, stage batches, write the Parquet lake."""

from __future__ import annotations

import shutil
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from flows.storage import SourceTree, StagingArea
from flows.warehouse import CarriedRows, StaleRows, lake_dataset, lake_path, swap_link
from transforms import schemas
from transforms.batch import (
    apply_canonical_subjects,
    count_spellings,
    keep_stale_content,
    mark_stale,
    parse_batch,
    subjects_table,
)
from transforms.incremental import (
    file_stats,
    keep_first_listings,
    manifest_entries,
    stamp_manifest,
)
from transforms.subjects import choose_canonical_subjects

LAKE_VERSIONS = ".lakes"
_STAGED_TABLES = [name for name in schemas.TABLES if name != "subjects"]
CHANGES_FILE = "part-00000.parquet"
CARRIED_FILE = "part-00001.parquet"
CARRIED_TABLES = ("etl.source_files", "article_listings", *schemas.ARTICLE_TABLES)


@dataclass(frozen=True, slots=True)
class ManifestContext:
    """What stamping a parsed file's manifest row needs: the files found with their stats,
    the previous manifest (both kept in Arrow: as Python objects, 359k entries took
    0.5 GB), the run."""

    found: pa.Table
    previous: pa.Table
    run_id: str


@dataclass(frozen=True, slots=True)
class BatchSummary:
    batch_no: int
    file_count: int
    rejected_paths: list[str]
    article_ids: list[int]
    subject_spellings: dict[str, Counter[str]]
    seconds: float


def stage_batch(
    source: SourceTree, paths: list[str], staging: StagingArea, batch_no: int
) -> BatchSummary:
    """Parse one batch of files and stage its tables as Arrow IPC files.

    Runs in a worker process; returns only a small summary so the coordinator stays lean.
    """
    started = time.perf_counter()
    batch = parse_batch(source.read(paths))
    for name, table in batch.tables.items():
        staging.write(name, batch_no, table)
    return BatchSummary(
        batch_no=batch_no,
        file_count=len(paths),
        rejected_paths=batch.tables["etl.rejected_files"].column("source_path").to_pylist(),
        article_ids=batch.tables["articles"].column("article_id").to_pylist(),
        subject_spellings=batch.subject_spellings,
        seconds=time.perf_counter() - started,
    )


@dataclass(frozen=True, slots=True)
class LakeChanges:
    """The new lake's changed part: its rows per table, and each subject slug's canonical
    name, which the rows carried over take as well."""

    counts: dict[str, int]
    canonical: dict[str, str]


def write_lake_changes(
    staging: StagingArea,
    summaries: list[BatchSummary],
    lake_dir: Path,
    stale: StaleRows,
    carried: CarriedRows,
    manifest: ManifestContext,
) -> LakeChanges:
    """Write each table's changed part (``CHANGES_FILE``): the parsed batches' rows and
    stale files' last good rows, every row the run writes anew; and ``subjects`` whole.

    An article's content comes from its first listing by path among the parsed files;
    files gone stale keep their last good rows (their article's only while no loaded file
    lists it); subjects get their canonical names, counted over every listing. The rows
    of unchanged files go into each table's carried part (``carry_rows``).
    """
    spellings: dict[str, Counter[str]] = {}
    for counts_by_slug in [
        *(s.subject_spellings for s in summaries),
        count_spellings(stale.tables["article_listings"]),
        *(
            count_spellings(pa.Table.from_batches([batch]))
            for batch in carried.scan("article_listings", ["subject_slug", "subject_as_written"])
        ),
    ]:
        for slug, counts in counts_by_slug.items():
            spellings.setdefault(slug, Counter()).update(counts)
    canonical = choose_canonical_subjects(spellings)
    winners = _first_listing_batches(staging, summaries)
    writers = {name: _parquet_writer(lake_dir, name, CHANGES_FILE) for name in _STAGED_TABLES}
    written = dict.fromkeys(schemas.TABLES, 0)

    def write(tables: dict[str, pa.Table]) -> None:
        for name, table in apply_canonical_subjects(tables, canonical).items():
            writers[name].write_table(table)
            written[name] += table.num_rows

    try:
        for summary in sorted(summaries, key=lambda item: item.batch_no):
            tables = {name: staging.read(name, summary.batch_no) for name in _STAGED_TABLES}
            tables = keep_first_listings(tables, winners.get(summary.batch_no, set()))
            source_files = mark_stale(tables["etl.source_files"], stale.article_ids)
            paths = source_files.column("source_path").to_pylist()
            tables["etl.source_files"] = stamp_manifest(
                source_files,
                file_stats(manifest.found, paths),
                manifest_entries(manifest.previous, paths),
                manifest.run_id,
            )
            write(tables)
        if stale.article_ids:
            write(keep_stale_content(stale.tables, _loaded_articles(winners, carried)))
    finally:
        for writer in writers.values():
            writer.close()
    subjects = subjects_table(spellings, canonical)
    with _parquet_writer(lake_dir, "subjects", CHANGES_FILE) as writer:
        writer.write_table(subjects)
    written["subjects"] = subjects.num_rows
    return LakeChanges(written, canonical)


def carry_rows(lake_dir: Path, carried: CarriedRows, canonical: dict[str, str]) -> dict[str, int]:
    """Write each table's second part (``CARRIED_FILE``): the rows of unchanged files, from
    the published lake, with canonical subject names. Rows per table; no file for a table
    with none."""
    written = dict.fromkeys(schemas.TABLES, 0)
    for name in CARRIED_TABLES:
        writer: pq.ParquetWriter | None = None
        try:
            for batch in carried.scan(name):
                rows = apply_canonical_subjects({name: pa.Table.from_batches([batch])}, canonical)
                writer = writer or _parquet_writer(lake_dir, name, CARRIED_FILE)
                writer.write_table(rows[name])
                written[name] += batch.num_rows
        finally:
            if writer is not None:
                writer.close()
    return written


def _loaded_articles(winners: dict[int, set[int]], carried: CarriedRows) -> set[int]:
    """Articles the new lake has content for from a loaded file: parsed or carried."""
    loaded = {i for ids in winners.values() for i in ids}
    for batch in carried.scan("articles", ["article_id"]):
        loaded.update(batch.column("article_id").to_pylist())
    return loaded


def add_counts(*counts: dict[str, int]) -> dict[str, int]:
    return {name: sum(part.get(name, 0) for part in counts) for name in schemas.TABLES}


def _first_listing_batches(
    staging: StagingArea, summaries: list[BatchSummary]
) -> dict[int, set[int]]:
    """For each batch, the articles whose first listing by path it holds."""
    first: dict[int, tuple[str, int]] = {}
    for summary in summaries:
        articles = staging.read("articles", summary.batch_no)
        ids = articles.column("article_id").to_pylist()
        paths = articles.column("source_path").to_pylist()
        for article_id, path in zip(ids, paths, strict=True):
            if article_id not in first or path < first[article_id][0]:
                first[article_id] = (path, summary.batch_no)
    winners: dict[int, set[int]] = {}
    for article_id, (_path, batch_no) in first.items():
        winners.setdefault(batch_no, set()).add(article_id)
    return winners


def publish_lake(new_lake: Path, lake_dir: Path, version: str) -> None:
    """Make ``new_lake`` the published lake with one atomic rename of the ``lake`` symlink.

    Lake versions live in ``.lakes/<run id>``; readers that already opened files
    of the previous version keep reading them.
    """
    versions = lake_dir.parent / LAKE_VERSIONS
    versions.mkdir(exist_ok=True)
    new_lake.rename(versions / version)
    if lake_dir.is_dir() and not lake_dir.is_symlink():
        lake_dir.rename(versions / f"before-{version}")
    swap_link(lake_dir, Path(LAKE_VERSIONS) / version)
    remove_unpublished_lakes(lake_dir)


def remove_unpublished_lakes(lake_dir: Path) -> None:
    """Delete lake versions the ``lake`` link no longer points to (old or from killed runs).

    With no link (a kill while an old plain-folder lake was being converted) nothing is
    deleted: those versions are all there is.
    """
    versions = lake_dir.parent / LAKE_VERSIONS
    if not lake_dir.is_symlink():
        return
    current = lake_dir.resolve()
    for version in versions.iterdir() if versions.is_dir() else []:
        if version.resolve() != current:
            shutil.rmtree(version, ignore_errors=True)


def read_lake_table(
    lake_dir: Path, table: str, columns: list[str] | None = None
) -> pa.Table | None:
    """One table of the published lake (all columns unless given), or None when the lake
    does not have it."""
    directory = lake_path(lake_dir, table)
    if not directory.is_dir() or not any(directory.glob("*.parquet")):
        return None
    return lake_dataset(lake_dir, table).to_table(columns=columns)


def lake_row_count(lake_dir: Path, table: str) -> int:
    """Rows of one lake table, from the Parquet footers only."""
    directory = lake_path(lake_dir, table)
    files = sorted(directory.glob("*.parquet")) if directory.is_dir() else []
    return sum(pq.read_metadata(file).num_rows for file in files)


def write_lake_table(lake_dir: Path, table: str, rows: pa.Table, file_name: str) -> None:
    """Write one Parquet file of a table, atomically (temp file, then rename)."""
    directory = lake_path(lake_dir, table)
    directory.mkdir(parents=True, exist_ok=True)
    temporary = directory / f".{file_name}.tmp"
    try:
        pq.write_table(rows, temporary, compression="zstd")
        temporary.replace(directory / file_name)
    finally:
        temporary.unlink(missing_ok=True)


def _parquet_writer(lake_dir: Path, table: str, file_name: str) -> pq.ParquetWriter:
    directory = lake_path(lake_dir, table)
    directory.mkdir(parents=True, exist_ok=True)
    return pq.ParquetWriter(directory / file_name, schemas.TABLES[table], compression="zstd")
