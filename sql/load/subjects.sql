-- Appends the lake files' rows: a whole build loads them into a new file's empty
-- table, a patch after deleting the rows of the keys it replaces.
insert into subjects (
    subject_slug,
    subject,
    listing_count
)
select
    subject_slug,
    subject,
    listing_count,
from read_parquet($path);
