-- The lake dataset holds the whole table; emptying first keeps the load repeatable.
delete from article_keywords;
insert into article_keywords (
    article_id,
    position,
    keyword,
    keyword_normalized
)
select
    article_id,
    position,
    keyword,
    keyword_normalized,
from read_parquet($path);
