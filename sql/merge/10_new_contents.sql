-- Content is kept once per path and bytes: a page that returns to earlier bytes has it.
create or replace temp table new_contents as
select source_path, sha256
from etl.page_spans
where opened_run_id = $run_id
except
select source_path, sha256
from etl.page_contents
