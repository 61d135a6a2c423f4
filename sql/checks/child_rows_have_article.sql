-- severity: error
-- Points, keywords, related links and listings all hang off an article.
with

articles as (
    select article_id from main.articles
),

children as (
    select 'answer_points' as table_name, article_id from answer_points
    union all
    select 'article_keywords', article_id from article_keywords
    union all
    select 'related_articles', article_id from related_articles
    union all
    select 'article_listings', article_id from article_listings
),

orphans as (
    select table_name, article_id, count(*) as row_count
    from children
    anti join articles using (article_id)
    group by table_name, article_id
)

select * from orphans order by table_name, article_id
