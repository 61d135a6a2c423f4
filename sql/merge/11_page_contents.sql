insert into etl.page_contents by name
select run_pages.*
from run_pages
semi join new_contents using (source_path, sha256)
