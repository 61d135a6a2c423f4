-- Appends the lake files' rows: a whole build loads them into a new file's empty
-- table, a patch after deleting the rows of the keys it replaces.
insert into answer_points (
    article_id,
    point_index,
    list_number,
    section,
    heading,
    body
)
select
    article_id,
    point_index,
    list_number,
    section,
    heading,
    body,
from read_parquet($path);
