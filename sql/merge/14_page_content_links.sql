insert into etl.page_content_links by name
select run_links.*
from run_links
semi join new_contents using (source_path, sha256)
