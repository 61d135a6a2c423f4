create or replace view reports.changes_by_run as
with

runs as (
    select run_id, run_no, flow_run_name, source_time, status from etl.runs
),

article_changes as (
    select opened_run_id as run_id, article_id, 'opened' as side from etl.article_spans
    union all
    select closed_run_id, article_id, 'closed' from etl.article_spans where closed_run_id is not null
),

article_counts as (
    -- an article whose version a run both closed and opened changed; only opened, it was
    -- added; only closed, deleted
    select
        run_id,
        count(*) filter (where sides = ['opened']) as articles_added,
        count(*) filter (where len(sides) = 2) as articles_changed,
        count(*) filter (where sides = ['closed']) as articles_deleted,
    from (
        select run_id, article_id, list(distinct side order by side desc) as sides
        from article_changes
        group by all
    )
    group by run_id
),

page_changes as (
    select opened_run_id as run_id, source_path, 'opened' as side from etl.page_spans
    union all
    select closed_run_id, source_path, 'closed' from etl.page_spans where closed_run_id is not null
),

page_counts as (
    select
        run_id,
        count(*) filter (where sides = ['opened']) as pages_added,
        count(*) filter (where len(sides) = 2) as pages_changed,
        count(*) filter (where sides = ['closed']) as pages_deleted,
    from (
        select run_id, source_path, list(distinct side order by side desc) as sides
        from page_changes
        group by all
    )
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
        coalesce(article_counts.articles_added, 0) as articles_added,
        coalesce(article_counts.articles_changed, 0) as articles_changed,
        coalesce(article_counts.articles_deleted, 0) as articles_deleted,
        coalesce(page_counts.pages_added, 0) as pages_added,
        coalesce(page_counts.pages_changed, 0) as pages_changed,
        coalesce(page_counts.pages_deleted, 0) as pages_deleted,
        coalesce(rejections.files_rejected, 0) as files_rejected,
    from runs
    left join article_counts using (run_id)
    left join page_counts using (run_id)
    left join rejections using (run_id)
)

select * from final
order by run_no desc;
comment on view reports.changes_by_run is 'Per run, newest first: articles and pages added, changed and deleted, and files newly rejected.';
