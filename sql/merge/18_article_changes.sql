-- An article gets a new version when its first listing, that listing's article fields
-- (article_sha256) or its canonical subject change, and when it appears or goes.
create or replace temp table article_changes as
with

derived as (
    select * from affected_derivations
),

current_spans as (
    select article_id, source_path, article_sha256, subject
    from etl.article_spans
    where is_current and article_id in (select article_id from affected_articles)
),

compared as (
    select
        coalesce(derived.article_id, current_spans.article_id) as article_id,
        current_spans.article_id is not null as closes,
        derived.article_id is not null as opens,
    from derived
    full join current_spans using (article_id)
    where current_spans.article_id is null
        or derived.article_id is null
        or derived.source_path != current_spans.source_path
        or derived.article_sha256 != current_spans.article_sha256
        or derived.subject is distinct from current_spans.subject
)

select * from compared
