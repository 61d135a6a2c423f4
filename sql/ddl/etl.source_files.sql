create table if not exists etl.source_files (
    source_path varchar primary key,
    sha256 varchar,
    size_bytes bigint,
    status varchar not null,
    article_id bigint,
    content_sha256 varchar,
);
comment on table etl.source_files is 'Every article file (*.md) found under the source in the last run, exactly once.';
comment on column etl.source_files.source_path is 'File path relative to the source root, /-separated.';
comment on column etl.source_files.sha256 is 'SHA-256 of the file''s bytes; null when it could not be read.';
comment on column etl.source_files.size_bytes is 'File size in bytes; null when it could not be read.';
comment on column etl.source_files.status is 'loaded (has its article_listings row), rejected (has its etl.rejected_files row) or stale (was loaded, is now rejected: keeps its last good rows and has both).';
comment on column etl.source_files.article_id is 'The article id the file lists (for stale files: listed when last good); null when rejected.';
comment on column etl.source_files.content_sha256 is 'SHA-256 of the article''s title, question and answer as parsed: listings of one id with different values are conflicts.';
