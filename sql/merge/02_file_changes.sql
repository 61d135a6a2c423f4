-- What happened to each file the run read or found deleted. An unchanged file, broken or
-- not, gets no event; a file that fails to parse after new bytes is rejected.
create or replace temp table file_changes as
with

run_files as (
    select
        * exclude (raw),
        -- The id git gives these bytes: what a git source's listing compares.
        sha1(('blob ' || octet_length(raw) || chr(0))::blob || raw) as blob_id,
    from run_files
),

current_files as (
    select source_path, sha256, status from etl.file_versions where is_current
),

compared as (
    select
        run_files.*,
        current_files.sha256 as old_sha256,
        current_files.status as old_status,
        current_files.source_path is not null as was_present,
    from run_files
    left join current_files using (source_path)
),

final as (
    select
        *,
        case
            when is_deleted then case when was_present then 'deleted' end
            when not was_present then case when status = 'loaded' then 'added' else 'rejected' end
            when old_sha256 is distinct from sha256 or old_status != status
                then case when status = 'loaded' then 'changed' else 'rejected' end
        end as event,
    from compared
)

select * from final
