-- stale_files: the result of stale_files.sql, registered by the caller.
select *
from related_articles
where article_id in (select article_id from stale_files)
order by all
