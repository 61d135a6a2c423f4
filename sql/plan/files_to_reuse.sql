-- Files to read whose bytes (blob id) the state has loaded before: their rows are copied,
-- not parsed again. Under the same path (a file restored, a change reverted), or under
-- another path (a rename, a copy) when the page takes its subject from its URL: then
-- nothing the parse gives depends on the path. A page that takes its subject from its
-- folder is parsed again under a new path.
with

loaded as (
    select
        versions.source_path as from_path,
        versions.sha256,
        versions.blob_id,
        versions.valid_from,
        contents.url,
    from etl.file_versions as versions
    inner join etl.page_contents as contents using (source_path, sha256)
    where versions.status = 'loaded' and versions.blob_id is not null
),

final as (
    select to_read.source_path, to_read.blob_id, loaded.from_path, loaded.sha256,
    from to_read
    inner join loaded using (blob_id)
    where loaded.from_path = to_read.source_path
        or regexp_matches(coalesce(loaded.url, ''), $url_slug_pattern)
    qualify row_number() over (
        partition by to_read.source_path
        order by loaded.from_path = to_read.source_path desc, loaded.valid_from desc
    ) = 1
)

select * from final order by source_path
