-- The files a run reads: new ones, those whose size or modification time changed, and
-- those it could not read last time; every one on a full refresh. An unchanged broken
-- file is not read again: its rejection stands until it changes.
with

known as (
    select source_path, size_bytes, mtime_ns, sha256
    from etl.file_versions
    where is_current
),

final as (
    select discovered.source_path, discovered.mtime_ns
    from discovered
    left join known using (source_path)
    where $read_all
        or known.source_path is null
        or known.sha256 is null
        or discovered.size_bytes is null
        or discovered.mtime_ns is null
        or discovered.size_bytes != known.size_bytes
        or discovered.mtime_ns != known.mtime_ns
)

select * from final order by source_path
