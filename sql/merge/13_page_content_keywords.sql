insert into etl.page_content_keywords by name
select run_keywords.*
from run_keywords
semi join new_contents using (source_path, sha256)
