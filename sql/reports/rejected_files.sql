create or replace view reports.rejected_files as
with

rejected as (
    select * from etl.rejected_files
),

files as (
    select source_path, status, last_changed_run_id from etl.source_files
),

runs as (
    select run_id, run_no, source_time from etl.runs
),

final as (
    select
        rejected.source_path,
        files.status,
        rejected.error_kind,
        rejected.error_message,
        rejected.error_line,
        rejected.error_column,
        runs.run_no as since_run_no,
        runs.source_time as since,
    from rejected
    inner join files using (source_path)
    left join runs on runs.run_id = files.last_changed_run_id
)

select * from final
order by error_kind, source_path;
comment on view reports.rejected_files is 'Every article file the source holds that does not load, with why and where: fix these in the CMS. A stale one keeps its last good page meanwhile.';
comment on column reports.rejected_files.source_path is 'The file, relative to the source root.';
comment on column reports.rejected_files.status is 'rejected (never loaded) or stale (loaded before; its last good page stays published).';
comment on column reports.rejected_files.error_kind is 'Short code of the error (etl.rejected_files.error_kind): not_utf8, yaml_error, missing_field, invalid_field, ...';
comment on column reports.rejected_files.error_message is 'The error, as the parser gave it.';
comment on column reports.rejected_files.error_line is 'Line of the error in the file, when known.';
comment on column reports.rejected_files.error_column is 'Column of the error, when known.';
comment on column reports.rejected_files.since_run_no is 'The run that last changed the file (etl.runs.run_no).';
comment on column reports.rejected_files.since is 'That run''s source time.';
