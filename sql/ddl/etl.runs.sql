create table if not exists etl.runs (
    run_id varchar primary key,
    run_no bigint not null,
    flow_run_name varchar,
    source_time timestamptz not null,
    started_at timestamptz not null,
    finished_at timestamptz not null,
    status varchar not null,
    source_root varchar not null,
    files_seen_count bigint,
    files_read_count bigint,
    files_loaded_count bigint,
    files_rejected_count bigint,
    files_stale_count bigint,
    files_changed_count bigint,
    load_mode varchar,
    parser_version varchar,
    article_count bigint,
    point_count bigint,
    keyword_count bigint,
    related_count bigint,
    error_message varchar,
    source_commit varchar,
    source_commit_time timestamptz,
    source_commit_subject varchar,
);
-- Added after schema version 5 was first released; a state from before gets them here.
alter table etl.runs add column if not exists source_commit varchar;
alter table etl.runs add column if not exists source_commit_time timestamptz;
alter table etl.runs add column if not exists source_commit_subject varchar;
comment on table etl.runs is 'One row per pipeline run, kept across runs: the load history.';
comment on column etl.runs.run_id is 'Prefect flow run id; for a backfill''s commit, an id derived from its flow run''s and the commit''s (uuid5).';
comment on column etl.runs.run_no is 'Order of the run: 1 for the first run of this warehouse.';
comment on column etl.runs.source_time is 'The time versions of this run take: the run''s start for a folder source, the commit''s committer time for a git source.';
comment on column etl.runs.flow_run_name is 'Prefect flow run name, as shown in the Prefect UI.';
comment on column etl.runs.started_at is 'When the run started.';
comment on column etl.runs.finished_at is 'When the run committed, failed, was cancelled or gave up waiting.';
comment on column etl.runs.status is 'succeeded; failed (an error or a data check: nothing changed); cancelled (Ctrl-C or SIGTERM: nothing changed); timed out (gave up waiting for another run: recorded by the next run).';
comment on column etl.runs.source_root is 'The source the run read: a folder, an fsspec URL, or git+URL#path=FOLDER.';
comment on column etl.runs.files_seen_count is 'Article files found under the source.';
comment on column etl.runs.files_read_count is 'Files the run read and parsed (new, changed, or not readable last time).';
comment on column etl.runs.files_loaded_count is 'Files loaded (listings).';
comment on column etl.runs.files_rejected_count is 'Files rejected, stale ones included (see etl.rejected_files).';
comment on column etl.runs.files_stale_count is 'Files rejected now that keep their last good rows (status stale).';
comment on column etl.runs.files_changed_count is 'Files new, with changed content, or deleted since the previous run: 0 means nothing changed.';
comment on column etl.runs.load_mode is 'full (every file read: first run or --full-refresh), incremental (only new and changed files read) or unchanged (nothing read or deleted: only the run''s record was written).';
comment on column etl.runs.parser_version is 'Fingerprint of the parsing code: when it changes, the next run first re-derives every version in the lake from its raw bytes.';
comment on column etl.runs.article_count is 'Distinct articles after the run.';
comment on column etl.runs.point_count is 'answer_points rows after the run.';
comment on column etl.runs.keyword_count is 'article_keywords rows after the run.';
comment on column etl.runs.related_count is 'related_articles rows after the run.';
comment on column etl.runs.error_message is 'Why a run failed, was cancelled or timed out; null when it succeeded.';
comment on column etl.runs.source_commit is 'For a git source: the commit the run loaded (its full SHA); null for a folder.';
comment on column etl.runs.source_commit_time is 'For a git source: the commit''s committer time, which is also source_time.';
comment on column etl.runs.source_commit_subject is 'For a git source: the first line of the commit''s message.';
