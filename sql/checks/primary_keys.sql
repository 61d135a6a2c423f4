-- severity: error
-- Keys are unique (the DDL declares them not null). The views analysts read join
-- these tables on their keys, so their keys (articles.article_id, answer_points'
-- article_id and point_index, ...) are unique when these are. Only keys this run touched
-- can have changed: articles in affected_articles, files in file_changes.
with

article_span_keys_hashes as (
    -- a hash of the key first: the exact keys of a 10x full load did not fit in memory
    select hash(article_id, valid_from) as key_hash
    from etl.article_spans
    semi join affected_articles using (article_id)
    group by key_hash
    having count(*) > 1
),

article_span_keys as (
    select 'etl.article_spans' as table_name, article_id || '/' || valid_from as key, count(*) as row_count,
    from etl.article_spans
    where hash(article_id, valid_from) in (select key_hash from article_span_keys_hashes)
    group by article_id, valid_from
    having count(*) > 1
),

page_span_keys_hashes as (
    -- a hash of the key first: the exact keys of a 10x full load did not fit in memory
    select hash(source_path, valid_from) as key_hash
    from etl.page_spans
    semi join file_changes using (source_path)
    group by key_hash
    having count(*) > 1
),

page_span_keys as (
    select 'etl.page_spans' as table_name, source_path || '/' || valid_from as key, count(*) as row_count,
    from etl.page_spans
    where hash(source_path, valid_from) in (select key_hash from page_span_keys_hashes)
    group by source_path, valid_from
    having count(*) > 1
),

file_version_keys_hashes as (
    -- a hash of the key first: the exact keys of a 10x full load did not fit in memory
    select hash(source_path, valid_from) as key_hash
    from etl.file_versions
    semi join file_changes using (source_path)
    group by key_hash
    having count(*) > 1
),

file_version_keys as (
    select 'etl.file_versions' as table_name, source_path || '/' || valid_from as key, count(*) as row_count,
    from etl.file_versions
    where hash(source_path, valid_from) in (select key_hash from file_version_keys_hashes)
    group by source_path, valid_from
    having count(*) > 1
),

content_keys_hashes as (
    -- a hash of the key first: the exact keys of a 10x full load did not fit in memory
    select hash(source_path, sha256) as key_hash
    from etl.page_contents
    semi join file_changes using (source_path)
    group by key_hash
    having count(*) > 1
),

content_keys as (
    select 'etl.page_contents' as table_name, source_path || '/' || sha256 as key, count(*) as row_count,
    from etl.page_contents
    where hash(source_path, sha256) in (select key_hash from content_keys_hashes)
    group by source_path, sha256
    having count(*) > 1
),

point_keys_hashes as (
    -- a hash of the key first: the exact keys of a 10x full load did not fit in memory
    select hash(source_path, sha256, point_index) as key_hash
    from etl.page_content_points
    semi join file_changes using (source_path)
    group by key_hash
    having count(*) > 1
),

point_keys as (
    select 'etl.page_content_points' as table_name, source_path || '/' || sha256 || '/' || point_index as key, count(*) as row_count,
    from etl.page_content_points
    where hash(source_path, sha256, point_index) in (select key_hash from point_keys_hashes)
    group by source_path, sha256, point_index
    having count(*) > 1
),

keyword_keys_hashes as (
    -- a hash of the key first: the exact keys of a 10x full load did not fit in memory
    select hash(source_path, sha256, position) as key_hash
    from etl.page_content_keywords
    semi join file_changes using (source_path)
    group by key_hash
    having count(*) > 1
),

keyword_keys as (
    select 'etl.page_content_keywords' as table_name, source_path || '/' || sha256 || '/' || position as key, count(*) as row_count,
    from etl.page_content_keywords
    where hash(source_path, sha256, position) in (select key_hash from keyword_keys_hashes)
    group by source_path, sha256, position
    having count(*) > 1
),

link_keys_hashes as (
    -- a hash of the key first: the exact keys of a 10x full load did not fit in memory
    select hash(source_path, sha256, rank) as key_hash
    from etl.page_content_links
    semi join file_changes using (source_path)
    group by key_hash
    having count(*) > 1
),

link_keys as (
    select 'etl.page_content_links' as table_name, source_path || '/' || sha256 || '/' || rank as key, count(*) as row_count,
    from etl.page_content_links
    where hash(source_path, sha256, rank) in (select key_hash from link_keys_hashes)
    group by source_path, sha256, rank
    having count(*) > 1
),

event_keys_hashes as (
    -- a hash of the key first: the exact keys of a 10x full load did not fit in memory
    select hash(run_id, source_path) as key_hash
    from etl.file_events
    semi join file_changes using (source_path)
    group by key_hash
    having count(*) > 1
),

event_keys as (
    select 'etl.file_events' as table_name, run_id || '/' || source_path as key, count(*) as row_count,
    from etl.file_events
    where hash(run_id, source_path) in (select key_hash from event_keys_hashes)
    group by run_id, source_path
    having count(*) > 1
),

subject_keys as (
    select 'subjects' as table_name, subject_slug as key, count(*) as row_count
    from subjects
    group by subject_slug
    having subject_slug is null or count(*) > 1
),

run_keys as (
    select 'etl.runs' as table_name, run_id as key, count(*) as row_count
    from etl.runs
    group by run_id
    having run_id is null or count(*) > 1
),

problems as (
    select * from article_span_keys
    union all
    select * from page_span_keys
    union all
    select * from file_version_keys
    union all
    select * from content_keys
    union all
    select * from point_keys
    union all
    select * from keyword_keys
    union all
    select * from link_keys
    union all
    select * from event_keys
    union all
    select * from subject_keys
    union all
    select * from run_keys
)

select * from problems order by table_name, key
