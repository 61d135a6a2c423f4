create or replace view etl.source_files as
with

files as (
    select * from etl.file_versions where is_current
),

pages as (
    select source_path, article_id from etl.page_spans where is_current
),

final as (
    select
        files.source_path,
        files.sha256,
        files.size_bytes,
        -- a file that turns bad keeps its last good page: it is stale, not rejected
        case
            when files.status = 'loaded' then 'loaded'
            when pages.source_path is not null then 'stale'
            else 'rejected'
        end as status,
        coalesce(files.article_id, pages.article_id) as article_id,
        files.mtime_ns,
        files.opened_run_id as last_changed_run_id,
    from files
    left join pages using (source_path)
)

select * from final;
comment on view etl.source_files is 'The manifest: every article file (*.md) the source holds now, exactly once. Key: source_path.';
comment on column etl.source_files.source_path is 'File path relative to the source root, /-separated.';
comment on column etl.source_files.sha256 is 'SHA-256 of the file''s bytes; null when it could not be read.';
comment on column etl.source_files.size_bytes is 'File size in bytes; null when it could not be read.';
comment on column etl.source_files.status is 'loaded (has its article_listings row), rejected (has its etl.rejected_files row) or stale (was loaded, is now rejected: keeps its last good page and has both).';
comment on column etl.source_files.article_id is 'The article id the file lists (for stale files: listed when last good); null when rejected.';
comment on column etl.source_files.mtime_ns is 'Modification time (ns since the epoch) when last read.';
comment on column etl.source_files.last_changed_run_id is 'The run that last saw its bytes or status change.';
