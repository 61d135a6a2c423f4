-- Full refresh inside the run's transaction: the lake dataset holds the whole table.
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
