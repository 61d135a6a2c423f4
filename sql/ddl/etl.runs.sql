create table if not exists etl.runs (
    run_id varchar primary key,
    flow_run_name varchar,
    started_at timestamptz not null,
    finished_at timestamptz not null,
    status varchar not null,
    source_root varchar not null,
    files_seen_count bigint,
    files_loaded_count bigint,
    files_rejected_count bigint,
    files_stale_count bigint,
    files_changed_count bigint,
    load_mode varchar,
    warehouse_build varchar,
    parser_version varchar,
    article_count bigint,
    point_count bigint,
    keyword_count bigint,
    related_count bigint,
    error_message varchar,
);
comment on table etl.runs is 'One row per pipeline run, kept across runs: the load history.';
comment on column etl.runs.run_id is 'Prefect flow run id.';
comment on column etl.runs.flow_run_name is 'Prefect flow run name, as shown in the Prefect UI.';
comment on column etl.runs.started_at is 'When the run started.';
comment on column etl.runs.finished_at is 'When the run committed or failed.';
comment on column etl.runs.status is 'succeeded or failed.';
comment on column etl.runs.source_root is 'The source folder the run read.';
comment on column etl.runs.files_seen_count is 'Article files found under the source.';
comment on column etl.runs.files_loaded_count is 'Files loaded (listings).';
comment on column etl.runs.files_rejected_count is 'Files rejected, stale ones included (see etl.rejected_files).';
comment on column etl.runs.files_stale_count is 'Files rejected now that keep their last good rows (status stale).';
comment on column etl.runs.files_changed_count is 'Files new, with changed content, or deleted since the previous run: 0 means nothing changed.';
comment on column etl.runs.load_mode is 'full (every file parsed: first run or --full-refresh) or incremental (only new and changed files).';
comment on column etl.runs.warehouse_build is 'How the run made the published warehouse file: whole (built from the whole lake), patched (a copy of the previous file with the changed rows replaced) or unchanged (nothing changed: the previous file kept); null for failed runs.';
comment on column etl.runs.parser_version is 'Fingerprint of the parsing code: when it changes, the next run parses every file again.';
comment on column etl.runs.article_count is 'Distinct articles after the run.';
comment on column etl.runs.point_count is 'answer_points rows after the run.';
comment on column etl.runs.keyword_count is 'article_keywords rows after the run.';
comment on column etl.runs.related_count is 'related_articles rows after the run.';
comment on column etl.runs.error_message is 'Why a failed run failed; null when it succeeded.';
