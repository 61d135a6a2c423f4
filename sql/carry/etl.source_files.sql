-- carried_files (source_path, article_id): the files whose rows are carried over, registered by the caller.
select *
from etl.source_files
where source_path in (select source_path from carried_files)
order by source_path
