-- severity: error
-- The denormalized counts on articles equal their child rows: points of the content the
-- article's fields come from, keywords and related links of its first listing's current
-- page (articles this run touched: the others did not change).
with

articles as (
    select spans.article_id, spans.source_path, spans.sha256, contents.point_count, contents.keyword_count, contents.related_count,
    from etl.article_spans as spans
    semi join affected_articles using (article_id)
    inner join etl.page_contents as contents using (source_path, sha256)
    where spans.is_current
),

pages as (
    select articles.article_id, pages.source_path, pages.sha256
    from articles
    inner join etl.page_spans as pages using (source_path)
    where pages.is_current
),

points as (
    select articles.article_id, count(*) as actual
    from articles
    inner join etl.page_content_points using (source_path, sha256)
    group by articles.article_id
),

keywords as (
    select pages.article_id, count(*) as actual
    from pages
    inner join etl.page_content_keywords using (source_path, sha256)
    group by pages.article_id
),

related as (
    select pages.article_id, count(*) as actual
    from pages
    inner join etl.page_content_links using (source_path, sha256)
    group by pages.article_id
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
