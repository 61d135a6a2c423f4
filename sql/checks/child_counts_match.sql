-- severity: error
-- The denormalized counts on articles must equal their child rows.
with

articles as (
    select article_id, point_count, keyword_count, related_count from main.articles
),

points as (
    select article_id, count(*) as actual from answer_points group by article_id
),

keywords as (
    select article_id, count(*) as actual from article_keywords group by article_id
),

related as (
    select article_id, count(*) as actual from related_articles group by article_id
),

compared as (
    select
        articles.article_id,
        articles.point_count,
        coalesce(points.actual, 0) as actual_point_count,
        articles.keyword_count,
        coalesce(keywords.actual, 0) as actual_keyword_count,
        articles.related_count,
        coalesce(related.actual, 0) as actual_related_count,
    from articles
    left join points using (article_id)
    left join keywords using (article_id)
    left join related using (article_id)
),

mismatches as (
    select *
    from compared
    where point_count != actual_point_count
        or keyword_count != actual_keyword_count
        or related_count != actual_related_count
)

select * from mismatches order by article_id
