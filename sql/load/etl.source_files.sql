-- Appends the lake files' rows: a whole build loads them into a new file's empty
-- table, a patch after deleting the rows of the keys it replaces.
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
