-- The row counts a run's summary shows, from its etl.runs row.
select
    article_count as "articles",
    files_loaded_count + files_stale_count as "article_listings",
    point_count as "answer_points",
    keyword_count as "article_keywords",
    related_count as "related_articles",
    (select count(*) from main.subjects) as "subjects",
    files_seen_count as "etl.source_files",
    files_rejected_count as "etl.rejected_files",
    files_stale_count,
    files_changed_count,
from etl.runs
where run_id = $run_id
