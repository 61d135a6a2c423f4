-- severity: error
-- Keys analysts join on are unique and never null, whatever the DDL enforces. Each table
-- groups by its own typed key: one aggregate over every key cast to text needed more than
-- the build's memory limit on a 10x corpus.
with

articles_keys as (
    select 'articles' as table_name, article_id::varchar as key, count(*) as row_count
    from main.articles
    group by article_id
    having article_id is null or count(*) > 1
),

listing_keys as (
    select 'article_listings' as table_name, source_path as key, count(*) as row_count
    from article_listings
    group by source_path
    having source_path is null or count(*) > 1
),

point_keys as (
    select
        'answer_points' as table_name,
        article_id || '/' || point_index as key,
        count(*) as row_count,
    from answer_points
    group by article_id, point_index
    having article_id is null or point_index is null or count(*) > 1
),

keyword_keys as (
    select
        'article_keywords' as table_name,
        article_id || '/' || position as key,
        count(*) as row_count,
    from article_keywords
    group by article_id, position
    having article_id is null or position is null or count(*) > 1
),

related_keys as (
    select
        'related_articles' as table_name,
        article_id || '/' || rank as key,
        count(*) as row_count,
    from related_articles
    group by article_id, rank
    having article_id is null or rank is null or count(*) > 1
),

subject_keys as (
    select 'subjects' as table_name, subject_slug as key, count(*) as row_count
    from subjects
    group by subject_slug
    having subject_slug is null or count(*) > 1
),

source_file_keys as (
    select 'etl.source_files' as table_name, source_path as key, count(*) as row_count
    from etl.source_files
    group by source_path
    having source_path is null or count(*) > 1
),

rejected_file_keys as (
    select 'etl.rejected_files' as table_name, source_path as key, count(*) as row_count
    from etl.rejected_files
    group by source_path
    having source_path is null or count(*) > 1
),

run_keys as (
    select 'etl.runs' as table_name, run_id as key, count(*) as row_count
    from etl.runs
    group by run_id
    having run_id is null or count(*) > 1
),

problems as (
    select * from articles_keys
    union all
    select * from listing_keys
    union all
    select * from point_keys
    union all
    select * from keyword_keys
    union all
    select * from related_keys
    union all
    select * from subject_keys
    union all
    select * from source_file_keys
    union all
    select * from rejected_file_keys
    union all
    select * from run_keys
)

select * from problems order by table_name, key
