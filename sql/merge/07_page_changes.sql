-- Pages whose version ends (new bytes that parse, or a deletion) or starts. A file that
-- turns bad keeps its page open: it is stale, and keeps its last good content.
create or replace temp table page_changes as
with

changes as (
    select source_path, is_deleted, status, sha256
    from file_changes
    where event is not null
),

current_pages as (
    select source_path, sha256 from etl.page_spans where is_current
),

compared as (
    select
        changes.source_path,
        current_pages.source_path is not null
        and (
            changes.is_deleted
            or (changes.status = 'loaded' and current_pages.sha256 != changes.sha256)
        ) as closes,
        changes.status = 'loaded' and current_pages.sha256 is distinct from changes.sha256
            as opens,
    from changes
    left join current_pages using (source_path)
)

select * from compared where closes or opens
