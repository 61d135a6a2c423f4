-- Articles by their canonical subject (articles.subject), and pages (listings) by the
-- subject they are listed under: an article listed under two subjects counts once in the
-- first and twice in the second.
with

articles_by_subject as (
    select subject, count(*) as article_count
    from articles
    group by subject
),

listings_by_subject as (
    select subject, count(*) as listing_count
    from article_listings
    group by subject
),

final as (
    select
        coalesce(articles_by_subject.subject, listings_by_subject.subject) as subject,
        coalesce(articles_by_subject.article_count, 0) as article_count,
        coalesce(listings_by_subject.listing_count, 0) as listing_count,
    from articles_by_subject
    full join listings_by_subject using (subject)
)

select * from final
order by article_count desc, subject;
