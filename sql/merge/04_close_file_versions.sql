update etl.file_versions
set valid_to = $source_time, is_current = false, closed_run_id = $run_id
where is_current
    and source_path in (select source_path from file_changes where event is not null)
