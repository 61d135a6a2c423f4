-- What the business rule (etl.derived_articles) makes of the affected articles now: derived
-- once, as it ranks every current page, for the steps that compare, close and open versions.
create or replace temp table affected_derivations as
select *
from etl.derived_articles
semi join affected_articles using (article_id)
