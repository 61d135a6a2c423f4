create or replace view reports.subject_summary as
with

listings as (
    select * from article_listings
),

articles as (
    select * from main.articles
),

subjects as (
    select * from main.subjects
),

per_subject as (
    select
        listings.subject_slug,
        count(*) as listing_count,
        count(distinct listings.article_id) as article_count,
        -- an article cross-listed here but first listed elsewhere still counts here
        round(avg(articles.point_count), 2) as avg_point_count,
        round(avg(articles.keyword_count), 2) as avg_keyword_count,
        min(articles.published_date) as first_published_date,
        max(articles.published_date) as last_published_date,
    from listings
    inner join articles using (article_id)
    group by listings.subject_slug
),

final as (
    select
        subjects.subject,
        per_subject.*,
    from per_subject
    inner join subjects using (subject_slug)
)

select * from final
order by article_count desc, subject_slug;
comment on view reports.subject_summary is 'Per subject: listings, distinct articles, average points and keywords, first and last publication date.';
