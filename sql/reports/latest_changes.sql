create or replace view reports.latest_changes as
with

versions as (
    select article_id, valid_from, valid_to, opened_run_id, closed_run_id, title
    from main.article_versions
),

history as (
    select article_id, valid_from, changed_fields, previous_valid_from
    from reports.article_history
),

runs as (
    select run_id, run_no, source_commit from etl.runs
),

openings as (
    select
        versions.valid_from as changed_at,
        versions.opened_run_id as run_id,
        versions.article_id,
        versions.title,
        case
            when history.previous_valid_from is null then 'added'
            when history.previous_valid_from is not null
                and not exists (
                    select 1 from versions as earlier
                    where earlier.article_id = versions.article_id
                        and earlier.valid_to = versions.valid_from
                ) then 'restored'
            else 'changed'
        end as change,
        history.changed_fields,
    from versions
    inner join history using (article_id, valid_from)
),

removals as (
    select
        versions.valid_to as changed_at,
        versions.closed_run_id as run_id,
        versions.article_id,
        versions.title,
        'removed' as change,
        []::varchar[] as changed_fields,
    from versions
    where versions.valid_to is not null
        and not exists (
            select 1 from versions as later
            where later.article_id = versions.article_id and later.valid_from = versions.valid_to
        )
),

final as (
    select
        changes.changed_at,
        runs.run_no,
        runs.source_commit,
        changes.article_id,
        changes.title,
        changes.change,
        changes.changed_fields,
    from (select * from openings union all select * from removals) as changes
    inner join runs using (run_id)
)

select * from final
order by changed_at desc, article_id;
comment on view reports.latest_changes is 'What happened to articles, newest first: added, changed (with the fields that changed), removed, or restored after a removal, with the run and (for git sources) the commit.';
comment on column reports.latest_changes.changed_at is 'Source time of the change: the run''s, or its commit''s for a git source.';
comment on column reports.latest_changes.run_no is 'The run that saw it (etl.runs.run_no).';
comment on column reports.latest_changes.source_commit is 'The commit the run loaded; null for a folder source.';
comment on column reports.latest_changes.article_id is 'The article.';
comment on column reports.latest_changes.title is 'Its title in the version that starts (or, removed, the last one).';
comment on column reports.latest_changes.change is 'added, changed, removed or restored.';
comment on column reports.latest_changes.changed_fields is 'For changed: the fields that differ from the version before (reports.article_history); empty otherwise, (first version) for added.';
