-- Articles by the month of their published_date; articles without a date are left out.
select
    date_trunc('month', published_date)::date as month_start,
    count(*) as article_count,
from articles
where published_date is not null
group by month_start
order by month_start;
