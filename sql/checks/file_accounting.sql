-- severity: error
-- Every article file found under the source is in etl.source_files exactly once, and is
-- loaded (a page, no rejection), rejected (a rejection, no page) or stale (both: it was
-- loaded, turned bad, and keeps its last good page). discovered_files is the run's file
-- list, registered by the run.
with

discovered as (
    select source_path from discovered_files
),

source_files as (
    select * from etl.source_files
),

listings as (
    -- article_listings' rows, from its tables: the page versions open now, with content
    select source_path
    from etl.page_spans
    semi join etl.page_contents using (source_path, sha256)
    where valid_to is null
),

rejections as (
    select source_path from etl.rejected_files
),

problems as (
    select source_path, 'found under the source but not in etl.source_files' as problem
    from discovered
    anti join source_files using (source_path)
    union all
    select source_path, 'in etl.source_files but not found under the source'
    from source_files
    anti join discovered using (source_path)
    union all
    select source_files.source_path, source_files.status || ' but has no article_listings row'
    from source_files
    anti join listings using (source_path)
    where source_files.status in ('loaded', 'stale')
    union all
    select source_files.source_path, source_files.status || ' but has no etl.rejected_files row'
    from source_files
    anti join rejections using (source_path)
    where source_files.status in ('rejected', 'stale')
    union all
    select source_files.source_path, 'loaded but has an etl.rejected_files row'
    from source_files
    semi join rejections using (source_path)
    where source_files.status = 'loaded'
    union all
    select source_path, 'article_listings row without a current file'
    from listings
    anti join source_files using (source_path)
)

select * from problems order by source_path, problem
