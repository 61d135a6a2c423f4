-- Full refresh inside the run's transaction: the lake dataset holds the whole table.
delete from etl.rejected_files;
insert into etl.rejected_files (
    source_path,
    error_kind,
    error_message,
    error_line,
    error_column
)
select
    source_path,
    error_kind,
    error_message,
    error_line,
    error_column,
from read_parquet($path);
