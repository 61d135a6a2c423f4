-- Articles added, changed and deleted and files newly rejected, per run, oldest first.
select
    run_no,
    status,
    articles_added,
    articles_changed,
    articles_deleted,
    files_rejected,
from reports.changes_by_run
order by run_no;
