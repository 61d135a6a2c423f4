-- stale_files: the result of stale_files.sql, registered by the caller.
select *
from article_listings
where source_path in (select source_path from stale_files)
order by source_path
