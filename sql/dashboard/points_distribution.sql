-- How many articles have each number of numbered answer points (0: the answer has no
-- ordered list).
select
    point_count,
    count(*) as article_count,
from articles
group by point_count
order by point_count;
