-- severity: error
-- An article exists because a file lists it, and its fields come from its first loaded
-- listing by path; only an article whose every listing went stale keeps the first stale one.
with

articles as (
    select article_id, source_path from main.articles
),

listings as (
    select article_listings.article_id, article_listings.source_path, source_files.status
    from article_listings
    inner join etl.source_files using (source_path)
),

first_listings as (
    select
        article_id,
        coalesce(
            min(source_path) filter (where status = 'loaded'),
            min(source_path)
        ) as first_source_path,
    from listings
    group by article_id
),

problems as (
    select articles.article_id, articles.source_path, first_listings.first_source_path
    from articles
    left join first_listings using (article_id)
    where first_listings.first_source_path is distinct from articles.source_path
)

select * from problems order by article_id
