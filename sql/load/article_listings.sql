-- The lake dataset holds the whole table; emptying first keeps the load repeatable.
delete from article_listings;
insert into article_listings (
    source_path,
    article_id,
    subject,
    subject_as_written,
    subject_slug,
    url
)
select
    source_path,
    article_id,
    subject,
    subject_as_written,
    subject_slug,
    url,
from read_parquet($path);
