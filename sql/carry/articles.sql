-- carried_files (source_path, article_id): the files whose rows are carried over, registered by the caller.
select *
from articles
where article_id in (select article_id from carried_files)
order by all
