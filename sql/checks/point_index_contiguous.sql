-- severity: error
-- point_index runs 1..n without gaps within each answer.
with

points as (
    select article_id, point_index from answer_points
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
