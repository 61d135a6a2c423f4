create or replace view reports.moved_related_links as
with

links as (
    select * from main.page_related_links where link_status = 'moved'
),

pages as (
    select source_path, article_id from main.article_listings
),

targets as (
    select article_id as resolved_article_id, title as resolved_title from main.articles
),

final as (
    select
        pages.article_id,
        links.source_path,
        links.rank,
        links.related_article_id,
        links.related_title,
        links.related_url,
        links.resolved_article_id,
        targets.resolved_title,
    from links
    inner join pages using (source_path)
    inner join targets using (resolved_article_id)
)

select * from final
order by source_path, rank;
comment on view reports.moved_related_links is 'Related-article links whose id is gone but whose URL is a current page: they still work, under the article the URL now shows (fix the id in the CMS).';
