create or replace view reports.broken_related_links as
with

links as (
    select * from main.page_related_links where link_status = 'dead'
),

pages as (
    select source_path, article_id, subject from main.article_listings
),

articles as (
    select article_id, title from main.articles
),

final as (
    select
        pages.article_id,
        articles.title,
        pages.subject,
        links.source_path,
        links.rank,
        links.related_article_id,
        links.related_title,
        links.related_url,
    from links
    inner join pages using (source_path)
    inner join articles using (article_id)
)

select * from final
order by source_path, rank;
comment on view reports.broken_related_links is 'Dead related-article links, page by page: neither the linked id is a current article nor the linked URL a current page.';
