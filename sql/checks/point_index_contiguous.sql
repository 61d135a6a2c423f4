-- severity: error
-- point_index runs 1..n without gaps within each answer (articles this run touched).
with

points as (
    select spans.article_id, points.point_index
    from etl.article_spans as spans
    semi join affected_articles using (article_id)
    inner join etl.page_content_points as points using (source_path, sha256)
    where spans.is_current
),

per_article as (
    select
        article_id,
        count(*) as point_rows,
        min(point_index) as min_point_index,
        max(point_index) as max_point_index,
    from points
    group by article_id
),

gaps as (
    select *
    from per_article
    where min_point_index != 1 or max_point_index != point_rows
)

select * from gaps order by article_id
