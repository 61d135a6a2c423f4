-- Full-text search over the current answer points: select * from search_points('query').
create or replace macro search_points(query) as table
with

ranked as (
    select article_id, point_index, score from etl.search_ranked(query, true)
),

points as (
    select article_id, point_index, heading, body from main.answer_points
),

articles as (
    select article_id, title, primary_subject from main.articles
),

final as (
    select
        ranked.article_id,
        ranked.point_index,
        articles.title,
        articles.primary_subject,
        round(ranked.score, 4) as score,
        points.heading,
        points.body,
    from ranked
    inner join points using (article_id, point_index)
    inner join articles using (article_id)
)

select * from final
order by score desc, article_id, point_index;
