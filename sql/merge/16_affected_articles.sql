-- Articles whose derivation may change: those of every page of a file with an event (the
-- first loaded listing can move when a listing changes, goes stale or goes), and those
-- under a subject whose canonical name changed.
create or replace temp table affected_articles as
with

renamed_slugs as (
    select subject_slug
    from main.subjects
    full join subjects_before using (subject_slug)
    where main.subjects.subject is distinct from subjects_before.subject
),

touched_pages as (
    select article_id
    from etl.page_spans
    where (is_current or closed_run_id = $run_id)
        and source_path in (select source_path from file_changes where event is not null)
),

renamed_pages as (
    select spans.article_id
    from etl.page_spans as spans
    inner join etl.page_contents as contents using (source_path, sha256)
    where spans.is_current and contents.subject_slug in (select subject_slug from renamed_slugs)
)

select article_id from touched_pages
union
select article_id from renamed_pages
