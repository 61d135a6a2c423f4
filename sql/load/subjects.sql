-- Full refresh inside the run's transaction: the lake dataset holds the whole table.
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
