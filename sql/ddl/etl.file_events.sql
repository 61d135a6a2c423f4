create table if not exists etl.file_events (
    run_id varchar not null,
    source_path varchar not null,
    event varchar not null,
    old_sha256 varchar,
    new_sha256 varchar,
);
comment on table etl.file_events is 'One row per file whose bytes or status a run saw change. An unchanged file, broken or not, gets no row. Key: run_id, source_path.';
comment on column etl.file_events.run_id is 'The run (etl.runs.run_id).';
comment on column etl.file_events.source_path is 'File path relative to the source root, /-separated.';
comment on column etl.file_events.event is 'added (a new file that parsed), changed (new bytes that parsed), deleted, or rejected (a new or changed file that fails to parse).';
comment on column etl.file_events.old_sha256 is 'SHA-256 of the bytes before; null for a new file.';
comment on column etl.file_events.new_sha256 is 'SHA-256 of the bytes after; null for a deletion or an unreadable file.';
