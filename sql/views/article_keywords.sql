create or replace view article_keywords as
with

articles as (
    select article_id, source_path from main.articles
),

keywords as (
    select * from main.page_keywords
),

final as (
    select
        articles.article_id,
        keywords.position,
        keywords.keyword,
        keywords.keyword_normalized,
    from articles
    inner join keywords using (source_path)
)

select * from final;
comment on view article_keywords is 'SEO keywords of each article''s first listing (see page_keywords for every page''s). Key: article_id, position.';
comment on column article_keywords.article_id is 'The article (articles.article_id).';
comment on column article_keywords.position is 'Position in the keyword list, from 1.';
comment on column article_keywords.keyword is 'The keyword as first spelled.';
comment on column article_keywords.keyword_normalized is 'Lower-cased (case-folded) keyword with inner spaces collapsed: group by this.';
