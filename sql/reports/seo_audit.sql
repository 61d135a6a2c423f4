create or replace view reports.seo_audit as
with

listings as (
    select * from main.article_listings
),

keywords as (
    select source_path, count(*) as keyword_count
    from main.page_keywords
    group by source_path
),

titled as (
    select seo_title, count(*) as pages_with_title
    from listings
    where seo_title is not null
    group by seo_title
),

audited as (
    select
        listings.source_path,
        listings.article_id,
        listings.subject,
        listings.seo_title,
        coalesce(titled.pages_with_title, 0) as pages_with_same_title,
        length(listings.seo_page_description) as description_length,
        coalesce(keywords.keyword_count, 0) as keyword_count,
    from listings
    left join titled using (seo_title)
    left join keywords using (source_path)
),

final as (
    select
        *,
        list_filter(
            [
                case when seo_title is null then 'no title' end,
                case when pages_with_same_title > 1 then 'duplicate title' end,
                case when description_length is null then 'no description' end,
                case when description_length > 160 then 'description over 160' end,
                case when description_length < 50 then 'description under 50' end,
                case when keyword_count = 0 then 'no keywords' end,
                case when keyword_count > 20 then 'over 20 keywords' end,
            ],
            lambda problem: problem is not null
        ) as problems,
    from audited
)

select * from final
order by len(problems) desc, source_path;
comment on view reports.seo_audit is 'Every page (article_listings) with its SEO hygiene: meta description length against the 160 characters search engines show, titles shared with other pages, keyword stuffing (over 20 keywords). Pages with the most problems first.';
comment on column reports.seo_audit.source_path is 'The page''s file (article_listings.source_path).';
comment on column reports.seo_audit.article_id is 'The article the page lists.';
comment on column reports.seo_audit.subject is 'The page''s canonical subject.';
comment on column reports.seo_audit.seo_title is 'The page''s seo.title.';
comment on column reports.seo_audit.pages_with_same_title is 'Pages whose seo.title is exactly this one, this page included; 0 when it has none.';
comment on column reports.seo_audit.description_length is 'Characters in the page''s meta description; null when it has none.';
comment on column reports.seo_audit.keyword_count is 'The page''s SEO keywords (rows in page_keywords).';
comment on column reports.seo_audit.problems is 'What is wrong: no title, duplicate title, no description, description over 160 or under 50 characters, no keywords, over 20 keywords. Empty when nothing is.';
