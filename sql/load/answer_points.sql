-- Full refresh inside the run's transaction: the lake dataset holds the whole table.
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
