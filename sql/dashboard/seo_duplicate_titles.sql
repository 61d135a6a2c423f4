-- SEO titles that more than one page uses, most shared first: each page should have a
-- title of its own. The 20 most shared are charted.
select
    seo_title,
    count(*) as page_count,
from article_listings
where seo_title is not null
group by seo_title
having count(*) > 1
order by page_count desc, seo_title
limit 20;
