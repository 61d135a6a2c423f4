-- The lake dataset holds the whole table; emptying first keeps the load repeatable.
delete from etl.source_files;
insert into etl.source_files (
    source_path,
    sha256,
    size_bytes,
    status,
    article_id,
    content_sha256,
    mtime_ns,
    first_seen_run_id,
    last_changed_run_id
)
select
    source_path,
    sha256,
    size_bytes,
    status,
    article_id,
    content_sha256,
    mtime_ns,
    first_seen_run_id,
    last_changed_run_id,
from read_parquet($path);
