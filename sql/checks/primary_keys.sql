-- severity: error
-- Keys analysts join on are unique and never null, whatever the DDL enforces.
with

keys as (
    select 'articles' as table_name, article_id::varchar as key from main.articles
    union all
    select 'article_listings', source_path from article_listings
    union all
    select 'answer_points', article_id || '/' || point_index from answer_points
    union all
    select 'article_keywords', article_id || '/' || position from article_keywords
    union all
    select 'related_articles', article_id || '/' || rank from related_articles
    union all
    select 'subjects', subject_slug from subjects
    union all
    select 'etl.source_files', source_path from etl.source_files
    union all
    select 'etl.rejected_files', source_path from etl.rejected_files
    union all
    select 'etl.runs', run_id from etl.runs
),

problems as (
    select table_name, key, count(*) as row_count
    from keys
    group by table_name, key
    having key is null or count(*) > 1
)

select * from problems order by table_name, key
