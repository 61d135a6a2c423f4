-- The lake dataset holds the whole table; emptying first keeps the load repeatable.
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
