-- What the business rule makes of the affected articles now, derived once for the steps
-- that compare, close and open versions.
create or replace temp table affected_derivations as
select *
from etl.derived_articles_of((select coalesce(list(article_id), []) from affected_articles))
