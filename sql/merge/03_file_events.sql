insert into etl.file_events by name
select
    $run_id as run_id,
    source_path,
    event,
    old_sha256,
    case when not is_deleted then sha256 end as new_sha256,
from file_changes
where event is not null
