-- What one run changed, by file: the summary's "this run" line (etl.file_events).
select event, count(*) as file_count
from etl.file_events
where run_id = $run_id
group by event
