create or replace view reports.publishing_by_month as
with

articles as (
    select * from main.articles
),

per_month as (
    select
        published_month,
        primary_subject,
        count(*) as article_count,
        round(avg(point_count), 2) as avg_point_count,
        round(avg(answer_word_count), 1) as avg_answer_word_count,
    from articles
    where published_month is not null
    group by published_month, primary_subject
),

final as (
    select
        per_month.*,
        sum(article_count) over (partition by published_month) as month_article_count,
    from per_month
)

select * from final
order by published_month, article_count desc, primary_subject;
comment on view reports.publishing_by_month is 'Articles published per month and primary subject (articles now, by their published_date): how much each subject grew when.';
comment on column reports.publishing_by_month.published_month is 'First day of the month of publication (articles.published_month).';
comment on column reports.publishing_by_month.primary_subject is 'The articles'' primary subject (articles.primary_subject).';
comment on column reports.publishing_by_month.article_count is 'Articles of this subject published that month.';
comment on column reports.publishing_by_month.avg_point_count is 'Their average number of numbered points.';
comment on column reports.publishing_by_month.avg_answer_word_count is 'Their average answer length in words (articles.answer_word_count).';
comment on column reports.publishing_by_month.month_article_count is 'Articles of every subject published that month.';
