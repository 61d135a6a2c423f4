insert into etl.file_versions by name
select
    source_path,
    $source_time as valid_from,
    null as valid_to,
    true as is_current,
    $run_id as opened_run_id,
    null as closed_run_id,
    status,
    sha256,
    size_bytes,
    mtime_ns,
    blob_id,
    article_id,
    error_kind,
    error_message,
    error_line,
    error_column,
from file_changes
where event is not null and not is_deleted
