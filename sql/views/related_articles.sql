create or replace view related_articles as
with

articles as (
    select article_id, source_path from main.articles
),

links as (
    select * from main.page_related_links
),

final as (
    select
        articles.article_id,
        links.rank,
        links.related_article_id,
        links.related_title,
        links.related_subject,
        links.related_url,
        links.link_status,
        links.resolved_article_id,
    from articles
    inner join links using (source_path)
)

select * from final;
comment on view related_articles is 'Related-article links of each article''s first listing (see page_related_links for every page''s). Key: article_id, rank.';
comment on column related_articles.article_id is 'The linking article (articles.article_id).';
comment on column related_articles.rank is 'N of the related_articleN field.';
comment on column related_articles.related_article_id is 'Id of the linked article as the link gives it; may not exist in articles.';
comment on column related_articles.related_title is 'Title of the linked article as the link gives it.';
comment on column related_articles.related_subject is 'Subject of the linked article as the link gives it.';
comment on column related_articles.related_url is 'URL of the linked page as the link gives it.';
comment on column related_articles.link_status is 'ok, moved or dead: see page_related_links.link_status.';
comment on column related_articles.resolved_article_id is 'The article the link reaches now; null when dead.';
