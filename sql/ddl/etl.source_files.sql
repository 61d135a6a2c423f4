create table if not exists etl.source_files (
    source_path varchar not null,
    sha256 varchar,
    size_bytes bigint,
    status varchar not null,
    article_id bigint,
    content_sha256 varchar,
    mtime_ns bigint,
    first_seen_run_id varchar,
    last_changed_run_id varchar,
);
comment on table etl.source_files is 'The manifest: every article file (*.md) found under the source in the last run, exactly once. Key: source_path (unique, checked before every publish).';
comment on column etl.source_files.source_path is 'File path relative to the source root, /-separated.';
comment on column etl.source_files.sha256 is 'SHA-256 of the file''s bytes; null when it could not be read.';
comment on column etl.source_files.size_bytes is 'File size in bytes; null when it could not be read.';
comment on column etl.source_files.status is 'loaded (has its article_listings row), rejected (has its etl.rejected_files row) or stale (was loaded, is now rejected: keeps its last good rows and has both).';
comment on column etl.source_files.article_id is 'The article id the file lists (for stale files: listed when last good); null when rejected.';
comment on column etl.source_files.content_sha256 is 'SHA-256 of the article''s title, question and answer as parsed: listings of one id with different values are conflicts.';
comment on column etl.source_files.mtime_ns is 'Modification time (ns since the epoch) when last read: with size_bytes, lets a run skip unchanged files.';
comment on column etl.source_files.first_seen_run_id is 'The run that first found this path.';
comment on column etl.source_files.last_changed_run_id is 'The run that last saw its content (sha256) change.';
