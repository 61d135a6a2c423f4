-- The files a run reads: new ones, changed ones and those it could not read last time;
-- every one on a full refresh. A git source's files changed when their blob id did; a
-- folder's when their size or modification time did. An unchanged broken file is not read
-- again: its rejection stands until it changes.
with

known as (
    select source_path, size_bytes, mtime_ns, sha256, blob_id
    from etl.file_versions
    where is_current
),

final as (
    select discovered.source_path, discovered.mtime_ns, discovered.blob_id
    from discovered
    left join known using (source_path)
    where $read_all
        or known.source_path is null
        or known.sha256 is null
        or case
            when discovered.blob_id is not null
                then discovered.blob_id is distinct from known.blob_id
            else discovered.size_bytes is null
                or discovered.mtime_ns is null
                or known.mtime_ns is null
                or discovered.size_bytes != known.size_bytes
                or discovered.mtime_ns != known.mtime_ns
        end
)

select * from final order by source_path
