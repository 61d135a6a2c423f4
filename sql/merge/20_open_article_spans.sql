insert into etl.article_spans by name
select
    derived.article_id,
    $source_time as valid_from,
    null as valid_to,
    true as is_current,
    $run_id as opened_run_id,
    null as closed_run_id,
    derived.source_path,
    derived.sha256,
    derived.article_sha256,
    derived.subject,
from affected_derivations as derived
semi join (select article_id from article_changes where opens) using (article_id)
