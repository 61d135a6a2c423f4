create table if not exists etl.file_versions (
    source_path varchar not null,
    valid_from timestamptz not null,
    valid_to timestamptz,
    is_current boolean not null,
    opened_run_id varchar not null,
    closed_run_id varchar,
    status varchar not null,
    sha256 varchar,
    size_bytes bigint,
    mtime_ns bigint,
    article_id bigint,
    error_kind varchar,
    error_message varchar,
    error_line integer,
    error_column integer,
    blob_id varchar,
);
-- Added after schema version 5 was first released; a state from before gets them here.
alter table etl.file_versions add column if not exists blob_id varchar;
comment on table etl.file_versions is 'Every version of every article file: a new one whenever its bytes or its parse status change. Key: source_path, valid_from.';
comment on column etl.file_versions.source_path is 'File path relative to the source root, /-separated.';
comment on column etl.file_versions.valid_from is 'Source time of the run that read this version.';
comment on column etl.file_versions.valid_to is 'Source time of the run that saw it change or disappear; null while current.';
comment on column etl.file_versions.is_current is 'True for the version the source holds now (valid_to is null).';
comment on column etl.file_versions.opened_run_id is 'The run that read this version (etl.runs.run_id).';
comment on column etl.file_versions.closed_run_id is 'The run that closed it; null while current.';
comment on column etl.file_versions.status is 'loaded (it parsed) or rejected (see error_kind).';
comment on column etl.file_versions.sha256 is 'SHA-256 of the file''s bytes; null when it could not be read.';
comment on column etl.file_versions.size_bytes is 'File size in bytes; null when it could not be read.';
comment on column etl.file_versions.mtime_ns is 'Modification time (ns since the epoch) when last read: with size_bytes, lets a run skip unchanged files.';
comment on column etl.file_versions.blob_id is 'Git blob id of the file''s bytes (what git hash-object gives); null when it could not be read. For a git source, lets a run skip unchanged files.';
comment on column etl.file_versions.article_id is 'The article id the file lists; null when rejected.';
comment on column etl.file_versions.error_kind is 'Why a rejected version was rejected: not_utf8, no_frontmatter, unterminated_frontmatter, yaml_error, not_a_mapping, missing_field, invalid_field, too_complex, read_error, internal_error.';
comment on column etl.file_versions.error_message is 'What is wrong and where.';
comment on column etl.file_versions.error_line is '1-based line in the file where the error was found, when known.';
comment on column etl.file_versions.error_column is '1-based column in that line, when known.';
