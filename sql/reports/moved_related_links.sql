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
comment on column reports.moved_related_links.article_id is 'The article whose page holds the link.';
comment on column reports.moved_related_links.source_path is 'The page''s file.';
comment on column reports.moved_related_links.rank is 'The link''s position in the page''s related list, from 1.';
comment on column reports.moved_related_links.related_article_id is 'The id the link names: no current article has it.';
comment on column reports.moved_related_links.related_title is 'The title the link shows.';
comment on column reports.moved_related_links.related_url is 'The URL the link names: a current page has it.';
comment on column reports.moved_related_links.resolved_article_id is 'The article that URL shows now: the id to put in the CMS.';
comment on column reports.moved_related_links.resolved_title is 'That article''s title.';
