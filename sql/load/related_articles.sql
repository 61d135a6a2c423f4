-- Appends the lake files' rows: a whole build loads them into a new file's empty
-- table, a patch after deleting the rows of the keys it replaces.
insert into related_articles (
    article_id,
    rank,
    related_article_id,
    related_title,
    related_subject,
    related_url
)
select
    article_id,
    rank,
    related_article_id,
    related_title,
    related_subject,
    related_url,
from read_parquet($path);
