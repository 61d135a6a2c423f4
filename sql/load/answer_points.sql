-- The lake dataset holds the whole table; emptying first keeps the load repeatable.
delete from answer_points;
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
