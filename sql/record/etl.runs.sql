-- A run's row, with the state's counts after it (none for a failed run: it changed nothing).
-- Child rows are counted by the articles' own counts, which child_counts_match holds equal.
insert into etl.runs by name
with

files as (
    select status, count(*) as file_count from etl.source_files group by status
),

articles as (
    select contents.point_count, contents.keyword_count, contents.related_count
    from etl.article_spans as spans
    inner join etl.page_contents as contents using (source_path, sha256)
    where spans.is_current
),

counts as (
    select
        (select sum(file_count) from files) as files_seen_count,
        coalesce((select sum(file_count) from files where status = 'loaded'), 0) as files_loaded_count,
        coalesce((select sum(file_count) from files where status != 'loaded'), 0) as files_rejected_count,
        coalesce((select sum(file_count) from files where status = 'stale'), 0) as files_stale_count,
        (select count(*) from etl.file_events where run_id = $run_id) as files_changed_count,
        (select count(*) from articles) as article_count,
        (select coalesce(sum(point_count), 0) from articles) as point_count,
        (select coalesce(sum(keyword_count), 0) from articles) as keyword_count,
        (select coalesce(sum(related_count), 0) from articles) as related_count,
)

select
    $run_id as run_id,
    $run_no as run_no,
    $flow_run_name as flow_run_name,
    $source_time as source_time,
    $started_at as started_at,
    $finished_at as finished_at,
    $status as status,
    $source_root as source_root,
    coalesce($files_seen_count, counts.files_seen_count) as files_seen_count,
    $files_read_count as files_read_count,
    counts.files_loaded_count,
    counts.files_rejected_count,
    counts.files_stale_count,
    counts.files_changed_count,
    $load_mode as load_mode,
    $parser_version as parser_version,
    counts.article_count,
    counts.point_count,
    counts.keyword_count,
    counts.related_count,
    $error_message as error_message,
    $source_commit as source_commit,
    $source_commit_time as source_commit_time,
    $source_commit_subject as source_commit_subject,
from counts
where $with_counts
union all
select
    $run_id, $run_no, $flow_run_name, $source_time, $started_at, $finished_at, $status,
    $source_root, $files_seen_count, $files_read_count, null, null, null, null, $load_mode,
    $parser_version, null, null, null, null, $error_message, $source_commit,
    $source_commit_time, $source_commit_subject,
where not $with_counts
