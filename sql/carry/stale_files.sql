-- Files that were good in the published warehouse and are rejected now: they go stale and
-- keep their last good rows until they are fixed or deleted. rejected_now is registered
-- by the caller.
select source_path, article_id
from etl.source_files
where status in ('loaded', 'stale')
    and article_id is not null
    and source_path in (select source_path from rejected_now)
order by source_path
