-- severity: error
-- The current article versions, kept up to date run by run, are what the business rule
-- (etl.derived_articles) makes of the current pages: the incremental merge must never
-- drift from a derivation from scratch (checked for the articles this run touched, whose
-- derivation the merge took once, from every current page, as affected_derivations).
with

current_versions as (
    select article_id, source_path, article_sha256, subject
    from etl.article_spans
    semi join affected_articles using (article_id)
    where is_current
),

derived as (
    select article_id, source_path, article_sha256, subject from affected_derivations
),

missing as (
    select article_id, 'derived from the pages but not current' as problem
    from (select * from derived except select * from current_versions)
),

extra as (
    select article_id, 'current but not what the pages give' as problem
    from (select * from current_versions except select * from derived)
),

problems as (
    select * from missing
    union all
    select * from extra
)

select * from problems order by article_id, problem
