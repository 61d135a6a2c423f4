insert into etl.page_content_points by name
select run_points.*
from run_points
semi join new_contents using (source_path, sha256)
