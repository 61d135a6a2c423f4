-- The lake dataset holds the whole table; emptying first keeps the load repeatable.
delete from related_articles;
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
