-- Appends the lake files' rows: a whole build loads them into a new file's empty
-- table, a patch after deleting the rows of the keys it replaces.
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
