insert into etl.page_spans by name
select
    run_pages.source_path,
    $source_time as valid_from,
    null as valid_to,
    true as is_current,
    $run_id as opened_run_id,
    null as closed_run_id,
    run_pages.sha256,
    run_pages.article_id,
from run_pages
semi join (select source_path from page_changes where opens) using (source_path)
