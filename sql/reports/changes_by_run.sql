create or replace view reports.changes_by_run as
with

runs as (
    select run_id, run_no, flow_run_name, source_time, status from etl.runs
),

sides as (
    select 'article' as kind, opened_run_id as run_id, article_id::varchar as key, 'opened' as side
    from etl.article_spans
    union all
    select 'article', closed_run_id, article_id::varchar, 'closed'
    from etl.article_spans
    where closed_run_id is not null
    union all
    select 'page', opened_run_id, source_path, 'opened'
    from etl.page_spans
    union all
    select 'page', closed_run_id, source_path, 'closed'
    from etl.page_spans
    where closed_run_id is not null
),

changes as (
    -- a version a run both closed and opened changed; only opened, it was added; only
    -- closed, deleted
    select
        kind,
        run_id,
        case
            when count(distinct side) = 2 then 'changed'
            when min(side) = 'opened' then 'added'
            else 'deleted'
        end as change,
    from sides
    group by kind, run_id, key
),

counts as (
    select
        run_id,
        count(*) filter (where kind = 'article' and change = 'added') as articles_added,
        count(*) filter (where kind = 'article' and change = 'changed') as articles_changed,
        count(*) filter (where kind = 'article' and change = 'deleted') as articles_deleted,
        count(*) filter (where kind = 'page' and change = 'added') as pages_added,
        count(*) filter (where kind = 'page' and change = 'changed') as pages_changed,
        count(*) filter (where kind = 'page' and change = 'deleted') as pages_deleted,
    from changes
    group by run_id
),

rejections as (
    select run_id, count(*) as files_rejected
    from etl.file_events
    where event = 'rejected'
    group by run_id
),

final as (
    select
        runs.run_no,
        runs.run_id,
        runs.flow_run_name,
        runs.source_time,
        runs.status,
        coalesce(counts.articles_added, 0) as articles_added,
        coalesce(counts.articles_changed, 0) as articles_changed,
        coalesce(counts.articles_deleted, 0) as articles_deleted,
        coalesce(counts.pages_added, 0) as pages_added,
        coalesce(counts.pages_changed, 0) as pages_changed,
        coalesce(counts.pages_deleted, 0) as pages_deleted,
        coalesce(rejections.files_rejected, 0) as files_rejected,
    from runs
    left join counts using (run_id)
    left join rejections using (run_id)
)

select * from final
order by run_no desc;
comment on view reports.changes_by_run is 'Per run, newest first: articles and pages added, changed and deleted, and files newly rejected.';
comment on column reports.changes_by_run.run_no is 'Run number (etl.runs.run_no).';
comment on column reports.changes_by_run.run_id is 'The run''s id (etl.runs.run_id).';
comment on column reports.changes_by_run.flow_run_name is 'The Prefect flow run''s name.';
comment on column reports.changes_by_run.source_time is 'The time its versions take: its start, or its commit''s time.';
comment on column reports.changes_by_run.status is 'succeeded, failed or cancelled.';
comment on column reports.changes_by_run.articles_added is 'Articles that got their first version (or came back) in the run.';
comment on column reports.changes_by_run.articles_changed is 'Articles that got a new version.';
comment on column reports.changes_by_run.articles_deleted is 'Articles whose last version the run closed.';
comment on column reports.changes_by_run.pages_added is 'Pages (listing files) that appeared.';
comment on column reports.changes_by_run.pages_changed is 'Pages that got a new version.';
comment on column reports.changes_by_run.pages_deleted is 'Pages that disappeared.';
comment on column reports.changes_by_run.files_rejected is 'Files the run found newly rejected.';
