-- Version 3: the manifest that lets runs parse only new and changed files.
alter table etl.source_files add column if not exists mtime_ns bigint;
alter table etl.source_files add column if not exists first_seen_run_id varchar;
alter table etl.source_files add column if not exists last_changed_run_id varchar;
alter table etl.runs add column if not exists files_changed_count bigint;
alter table etl.runs add column if not exists load_mode varchar;
alter table etl.runs add column if not exists parser_version varchar;
