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
        count(distinct listings.article_id) filter (
            where articles.primary_subject = listings.subject
        ) as primary_article_count,
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
        per_subject.subject_slug,
        per_subject.listing_count,
        per_subject.article_count,
        per_subject.primary_article_count,
        per_subject.article_count - per_subject.primary_article_count
            as cross_listed_article_count,
        per_subject.avg_point_count,
        per_subject.avg_keyword_count,
        per_subject.first_published_date,
        per_subject.last_published_date,
    from per_subject
    inner join subjects using (subject_slug)
)

select * from final
order by article_count desc, subject_slug;
comment on view reports.subject_summary is 'Per subject: its pages, the distinct articles listed under it, how many of those have it as their primary subject and how many are cross-listed from another, their average points and keywords, first and last publication date. Subject totals that add up to the number of articles use primary_article_count.';
comment on column reports.subject_summary.subject is 'Canonical subject name (subjects.subject).';
comment on column reports.subject_summary.subject_slug is 'Subject slug, as in page URLs.';
comment on column reports.subject_summary.listing_count is 'Pages listed under the subject (article_listings rows): an article with two files here counts twice.';
comment on column reports.subject_summary.article_count is 'Distinct articles listed under the subject, whatever their primary subject.';
comment on column reports.subject_summary.primary_article_count is 'Articles whose primary subject this is (articles.primary_subject): these add up to the number of articles.';
comment on column reports.subject_summary.cross_listed_article_count is 'Articles listed here whose primary subject is another.';
comment on column reports.subject_summary.avg_point_count is 'Average numbered points of the articles listed here.';
comment on column reports.subject_summary.avg_keyword_count is 'Average SEO keywords of the articles listed here.';
comment on column reports.subject_summary.first_published_date is 'Earliest publication date among them.';
comment on column reports.subject_summary.last_published_date is 'Latest publication date among them.';
