-- Full refresh inside the run's transaction: the lake dataset holds the whole table.
delete from etl.source_files;
insert into etl.source_files (
    source_path,
    sha256,
    size_bytes,
    status,
    article_id
)
select
    source_path,
    sha256,
    size_bytes,
    status,
    article_id,
from read_parquet($path);
