-- Subjects whose canonical name the new lake changes. Rows of files a run did not parse
-- still carry the old name in the published file, so such a run builds the whole file.
select count(*) as renamed
from subjects as published
inner join read_parquet($path) as lake using (subject_slug)
where published.subject != lake.subject
