create or replace view reports.top_keywords as
with

keywords as (
    select * from article_keywords
),

counted as (
    select
        keyword_normalized,
        count(*) as article_count,
        -- the spelling analysts see: the most common one, ties alphabetically
        mode(keyword order by keyword) as keyword,
    from keywords
    group by keyword_normalized
),

final as (
    select
        rank() over (order by article_count desc) as keyword_rank,
        keyword,
        keyword_normalized,
        article_count,
    from counted
)

select * from final
order by article_count desc, keyword_normalized;
comment on view reports.top_keywords is 'SEO keywords ranked by how many articles use them (case-insensitive), most used first.';
comment on column reports.top_keywords.keyword_rank is '1 for the most used keyword.';
comment on column reports.top_keywords.keyword is 'The keyword in its most used spelling.';
comment on column reports.top_keywords.keyword_normalized is 'The keyword, lower case: what the count groups by.';
comment on column reports.top_keywords.article_count is 'Articles using it.';
