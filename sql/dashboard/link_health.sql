-- Related-article links of every current page by where they lead now: ok, moved (the id
-- is gone but the URL is a live page) or dead.
select
    link_status,
    count(*) as link_count,
from page_related_links
group by link_status
order by list_position(['ok', 'moved', 'dead'], link_status), link_status;
