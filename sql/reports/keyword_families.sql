create or replace view reports.keyword_families as
with

keywords as (
    select keyword_normalized, article_id from main.article_keywords
),

spelled as (
    select
        -- one family per word sequence, whatever joins its words: "decision-making",
        -- "decision making" and "decisionmaking" are one family
        regexp_replace(keyword_normalized, '[^a-z0-9]+', '', 'g') as family_key,
        keyword_normalized,
        count(distinct article_id) as article_count,
    from keywords
    group by all
),

families as (
    select
        family_key,
        count(*) as spelling_count,
        sum(article_count) as article_count,
        arg_max(keyword_normalized, article_count) as most_used_spelling,
        list(keyword_normalized order by article_count desc, keyword_normalized) as spellings,
    from spelled
    where family_key <> ''
    group by family_key
    having count(*) > 1
)

select * from families
order by article_count desc, family_key;
comment on view reports.keyword_families is 'SEO keywords written more than one way: spellings that differ only in spaces, hyphens or punctuation ("decision-making" and "decision making"). Each family''s spellings split its search traffic; most_used_spelling is the candidate to keep.';
comment on column reports.keyword_families.family_key is 'The keyword''s letters and digits alone, lower case: what the spellings share.';
comment on column reports.keyword_families.spelling_count is 'How many spellings the family has (at least 2).';
comment on column reports.keyword_families.article_count is 'Articles using any spelling (an article using two counts twice).';
comment on column reports.keyword_families.most_used_spelling is 'The spelling the most articles use (article_keywords.keyword_normalized).';
comment on column reports.keyword_families.spellings is 'Every spelling, most used first.';
