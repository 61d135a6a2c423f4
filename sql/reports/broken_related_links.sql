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
comment on column reports.broken_related_links.article_id is 'The article whose page holds the link.';
comment on column reports.broken_related_links.title is 'That article''s title.';
comment on column reports.broken_related_links.subject is 'That page''s canonical subject.';
comment on column reports.broken_related_links.source_path is 'The page''s file.';
comment on column reports.broken_related_links.rank is 'The link''s position in the page''s related list, from 1.';
comment on column reports.broken_related_links.related_article_id is 'The id the link names: no current article has it.';
comment on column reports.broken_related_links.related_title is 'The title the link shows.';
comment on column reports.broken_related_links.related_url is 'The URL the link names: no current page has it.';
