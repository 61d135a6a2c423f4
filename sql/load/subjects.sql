-- The lake dataset holds the whole table; emptying first keeps the load repeatable.
delete from subjects;
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
