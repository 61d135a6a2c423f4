create or replace view reports.runs as
with

runs as (
    select * from etl.runs
),

final as (
    select
        run_no,
        flow_run_name,
        status,
        load_mode,
        started_at,
        finished_at,
        date_diff('millisecond', started_at, finished_at) / 1000 as seconds,
        source_time,
        source_commit,
        source_commit_subject,
        files_seen_count,
        files_read_count,
        files_changed_count,
        files_rejected_count,
        files_stale_count,
        article_count,
        error_message,
    from runs
)

select * from final
order by run_no desc;
comment on view reports.runs is 'Every run, newest first: how it ended, what it read and changed, how many files it rejected, and why it failed.';
comment on column reports.runs.run_no is 'Run number, 1 for the first (etl.runs.run_no).';
comment on column reports.runs.flow_run_name is 'The Prefect flow run''s name.';
comment on column reports.runs.status is 'succeeded, failed or cancelled.';
comment on column reports.runs.load_mode is 'full (read every file), incremental (read some) or unchanged (read none).';
comment on column reports.runs.started_at is 'When the run started.';
comment on column reports.runs.finished_at is 'When it was recorded.';
comment on column reports.runs.seconds is 'finished_at minus started_at, in seconds.';
comment on column reports.runs.source_time is 'The time its versions take: the run''s start, or its commit''s time for a git source.';
comment on column reports.runs.source_commit is 'The commit it loaded; null for a folder source.';
comment on column reports.runs.source_commit_subject is 'That commit''s subject line.';
comment on column reports.runs.files_seen_count is 'Article files found under the source.';
comment on column reports.runs.files_read_count is 'Files read: new, changed, or unreadable before.';
comment on column reports.runs.files_changed_count is 'Files whose bytes or status changed.';
comment on column reports.runs.files_rejected_count is 'Files rejected after the run (reports.rejected_files lists them).';
comment on column reports.runs.files_stale_count is 'Files that turned bad and keep their last good page.';
comment on column reports.runs.article_count is 'Articles after the run.';
comment on column reports.runs.error_message is 'Why a failed or cancelled run ended; null otherwise.';
