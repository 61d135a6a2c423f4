-- Runs are history: one row per run id, never deleted; a retried run overwrites its own row.
insert or replace into etl.runs (
    run_id,
    flow_run_name,
    started_at,
    finished_at,
    status,
    source_root,
    files_seen_count,
    files_loaded_count,
    files_rejected_count,
    files_stale_count,
    article_count,
    point_count,
    keyword_count,
    related_count,
    error_message
)
values (
    $run_id,
    $flow_run_name,
    $started_at,
    $finished_at,
    $status,
    $source_root,
    $files_seen_count,
    $files_loaded_count,
    $files_rejected_count,
    $files_stale_count,
    $article_count,
    $point_count,
    $keyword_count,
    $related_count,
    $error_message
)
