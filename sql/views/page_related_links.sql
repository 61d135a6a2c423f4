create or replace view page_related_links as
with

pages as (
    select source_path, sha256 from etl.page_spans where is_current
),

links as (
    select * from etl.page_content_links
),

live_articles as (
    select article_id from main.articles
),

live_pages as (
    select url, min(article_id) as article_id
    from page_versions
    where is_current and url is not null
    group by url
),

final as (
    select
        links.source_path,
        links.rank,
        links.related_article_id,
        links.related_title,
        links.related_subject,
        links.related_url,
        -- a link whose id is gone but whose URL is a live page was re-published under a
        -- new id: it still works for readers, so it is moved, not dead
        case
            when live_articles.article_id is not null then 'ok'
            when live_pages.article_id is not null then 'moved'
            else 'dead'
        end as link_status,
        coalesce(live_articles.article_id, live_pages.article_id) as resolved_article_id,
    from pages
    inner join links using (source_path, sha256)
    left join live_articles on live_articles.article_id = links.related_article_id
    left join live_pages on live_pages.url = links.related_url
)

select * from final;
comment on view page_related_links is 'Every page''s related-article links (related_article1..5) with where they lead now. Key: source_path, rank.';
comment on column page_related_links.source_path is 'The linking page (article_listings.source_path).';
comment on column page_related_links.rank is 'N of the related_articleN field.';
comment on column page_related_links.related_article_id is 'Id of the linked article as the link gives it; may not exist in articles.';
comment on column page_related_links.related_title is 'Title of the linked article as the link gives it.';
comment on column page_related_links.related_subject is 'Subject of the linked article as the link gives it.';
comment on column page_related_links.related_url is 'URL of the linked page as the link gives it.';
comment on column page_related_links.link_status is 'ok (the id is a current article), moved (the id is unknown but related_url is a current page) or dead (neither).';
comment on column page_related_links.resolved_article_id is 'The article the link reaches: its own id when ok, the article of the page at related_url when moved; null when dead.';
