-- Appends the lake files' rows: a whole build loads them into a new file's empty
-- table, a patch after deleting the rows of the keys it replaces.
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
