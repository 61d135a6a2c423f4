create or replace view page_keywords as
with

pages as (
    select source_path, sha256 from etl.page_spans where is_current
),

keywords as (
    select * from etl.page_content_keywords
),

final as (
    select
        keywords.source_path,
        keywords.position,
        keywords.keyword,
        keywords.keyword_normalized,
    from pages
    inner join keywords using (source_path, sha256)
)

select * from final;
comment on view page_keywords is 'Every page''s SEO keywords: comma-split, trimmed, case-insensitive repeats within the page dropped, order kept. Key: source_path, position.';
comment on column page_keywords.source_path is 'The page (article_listings.source_path).';
comment on column page_keywords.position is 'Position in the page''s keyword list, from 1.';
comment on column page_keywords.keyword is 'The keyword as first spelled on the page.';
comment on column page_keywords.keyword_normalized is 'Lower-cased (case-folded) keyword with inner spaces collapsed: group by this.';
