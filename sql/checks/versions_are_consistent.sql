-- severity: error
-- Each history keeps one line per key: versions do not overlap, only the last one is
-- open, and is_current says exactly that it is open (keys this run touched).
with

versions as (
    select 'etl.article_spans' as table_name, article_id::varchar as key, valid_from, valid_to, is_current
    from etl.article_spans
    semi join affected_articles using (article_id)
    union all
    select 'etl.page_spans', source_path, valid_from, valid_to, is_current
    from etl.page_spans
    semi join file_changes using (source_path)
    union all
    select 'etl.file_versions', source_path, valid_from, valid_to, is_current
    from etl.file_versions
    semi join file_changes using (source_path)
),

ordered as (
    select
        *,
        lead(valid_from) over (partition by table_name, key order by valid_from) as next_valid_from,
    from versions
),

problems as (
    select table_name, key, valid_from, 'is_current disagrees with valid_to' as problem
    from ordered
    where is_current != (valid_to is null)
    union all
    select table_name, key, valid_from, 'ends before it starts'
    from ordered
    where valid_to <= valid_from
    union all
    select table_name, key, valid_from, 'open, but a later version exists'
    from ordered
    where valid_to is null and next_valid_from is not null
    union all
    select table_name, key, valid_from, 'overlaps the next version'
    from ordered
    where valid_to > next_valid_from
)

select * from problems order by table_name, key, valid_from
