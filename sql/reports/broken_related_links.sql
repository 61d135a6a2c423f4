create or replace view reports.broken_related_links as
with

related as (
    select * from related_articles
),

articles as (
    select * from main.articles
),

final as (
    select
        related.article_id,
        articles.title,
        related.rank,
        related.related_article_id,
        related.related_title,
        related.related_url,
    from related
    inner join articles using (article_id)
    anti join main.articles as targets
        on targets.article_id = related.related_article_id
)

select * from final
order by article_id, rank;
comment on view reports.broken_related_links is 'Related-article links whose target id is not in articles: links that point nowhere.';
