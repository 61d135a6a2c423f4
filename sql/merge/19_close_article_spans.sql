update etl.article_spans
set valid_to = $source_time, is_current = false, closed_run_id = $run_id
where is_current
    and article_id in (select article_id from article_changes where closes)
