create or replace view reports.points_per_article as
with

articles as (
    select * from main.articles
),

distribution as (
    select
        point_count,
        count(*) as article_count,
    from articles
    group by point_count
),

final as (
    select
        point_count,
        article_count,
        round(100.0 * article_count / sum(article_count) over (), 2) as article_pct,
        round(100.0 * sum(article_count) over (order by point_count) / sum(article_count) over (), 2)
            as cumulative_pct,
    from distribution
)

select * from final
order by point_count;
comment on view reports.points_per_article is 'How many articles have each number of numbered points, with percentages.';
comment on column reports.points_per_article.point_count is 'A number of numbered points.';
comment on column reports.points_per_article.article_count is 'Articles with that many points.';
comment on column reports.points_per_article.article_pct is 'Their share of all articles, in percent.';
comment on column reports.points_per_article.cumulative_pct is 'Share of articles with at most that many points, in percent.';
