-- Appends the lake files' rows: a whole build loads them into a new file's empty
-- table, a patch after deleting the rows of the keys it replaces.
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
