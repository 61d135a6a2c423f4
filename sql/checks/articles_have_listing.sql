-- severity: error
-- An article exists because a loaded file lists it; its fields come from that first listing.
with

articles as (
    select article_id, source_path from main.articles
),

first_listings as (
    select article_id, min(source_path) as first_source_path
    from article_listings
    group by article_id
),

problems as (
    select articles.article_id, articles.source_path, first_listings.first_source_path
    from articles
    left join first_listings using (article_id)
    where first_listings.first_source_path is distinct from articles.source_path
)

select * from problems order by article_id
