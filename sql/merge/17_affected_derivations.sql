-- What the business rule makes of the affected articles now, derived once for the steps
-- that compare, close and open versions. Only their pages are ranked, unless the run
-- touched more than a tenth of the articles (a full load): then every page is, as
-- filtering by so long a list saves little.
create or replace temp table affected_derivations as
with

affected as (
    select
        coalesce(list(article_id), []) as article_ids,
        count(*) * 10 > (select count(*) from etl.article_spans where is_current) as most,
    from affected_articles
)

select *
from etl.derived_articles_of((select case when not most then article_ids end from affected))
semi join affected_articles using (article_id)
