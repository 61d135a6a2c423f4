create or replace view reports.keywords_by_subject as
with

keywords as (
    select article_id, keyword_normalized from main.article_keywords
),

articles as (
    select article_id, primary_subject from main.articles
),

counted as (
    select
        articles.primary_subject,
        keywords.keyword_normalized,
        count(distinct keywords.article_id) as article_count,
    from keywords
    inner join articles using (article_id)
    group by all
),

subject_sizes as (
    select primary_subject, count(*) as subject_article_count
    from articles
    group by primary_subject
),

final as (
    select
        counted.primary_subject,
        row_number() over (
            partition by counted.primary_subject
            order by counted.article_count desc, counted.keyword_normalized
        ) as keyword_rank,
        counted.keyword_normalized,
        counted.article_count,
        round(counted.article_count / subject_sizes.subject_article_count, 4) as article_share,
    from counted
    inner join subject_sizes using (primary_subject)
    qualify keyword_rank <= 20
)

select * from final
order by primary_subject, keyword_rank;
comment on view reports.keywords_by_subject is 'The 20 SEO keywords most used in each primary subject, by how many of its articles use them.';
comment on column reports.keywords_by_subject.primary_subject is 'The articles'' primary subject (articles.primary_subject).';
comment on column reports.keywords_by_subject.keyword_rank is '1 for the subject''s most used keyword; ties in alphabetical order.';
comment on column reports.keywords_by_subject.keyword_normalized is 'The keyword, lower case (article_keywords.keyword_normalized).';
comment on column reports.keywords_by_subject.article_count is 'Articles of the subject using it.';
comment on column reports.keywords_by_subject.article_share is 'article_count over the subject''s articles.';
