create table if not exists etl.page_spans (
    source_path varchar not null,
    valid_from timestamptz not null,
    valid_to timestamptz,
    is_current boolean not null,
    opened_run_id varchar not null,
    closed_run_id varchar,
    sha256 varchar not null,
    article_id bigint not null,
);
comment on table etl.page_spans is 'When each page version was valid: a version starts when the file is loaded with new bytes and ends when it changes or is deleted; a file that turns bad (stale) keeps its version open. Its content is in etl.page_contents. Key: source_path, valid_from.';
comment on column etl.page_spans.source_path is 'File path relative to the source root, /-separated.';
comment on column etl.page_spans.valid_from is 'Source time of the run that loaded this version.';
comment on column etl.page_spans.valid_to is 'Source time of the run that loaded new bytes or saw the file deleted; null while current.';
comment on column etl.page_spans.is_current is 'True for the version the warehouse holds now (valid_to is null).';
comment on column etl.page_spans.opened_run_id is 'The run that loaded this version (etl.runs.run_id).';
comment on column etl.page_spans.closed_run_id is 'The run that closed it; null while current.';
comment on column etl.page_spans.sha256 is 'SHA-256 of the version''s bytes (etl.page_contents.sha256).';
comment on column etl.page_spans.article_id is 'The article this version lists.';
