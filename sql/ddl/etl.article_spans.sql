create table if not exists etl.article_spans (
    article_id bigint not null,
    valid_from timestamptz not null,
    valid_to timestamptz,
    is_current boolean not null,
    opened_run_id varchar not null,
    closed_run_id varchar,
    source_path varchar not null,
    sha256 varchar not null,
    article_sha256 varchar not null,
    subject varchar,
);
comment on table etl.article_spans is 'When each article version was valid, and the page content its fields come from (article_versions reads it with those fields). Key: article_id, valid_from.';
comment on column etl.article_spans.article_id is 'The article''s frontmatter id.';
comment on column etl.article_spans.valid_from is 'Source time of the run that made this version.';
comment on column etl.article_spans.valid_to is 'Source time of the run that changed or removed it; null while current.';
comment on column etl.article_spans.is_current is 'True for the version in articles now (valid_to is null).';
comment on column etl.article_spans.opened_run_id is 'The run that made this version (etl.runs.run_id).';
comment on column etl.article_spans.closed_run_id is 'The run that closed it; null while current.';
comment on column etl.article_spans.source_path is 'The listing the fields come from: the first loaded one by path, else the first stale one.';
comment on column etl.article_spans.sha256 is 'The bytes of that listing the fields were read from (etl.page_contents.sha256).';
comment on column etl.article_spans.article_sha256 is 'Fingerprint of the fields (etl.page_contents.article_sha256).';
comment on column etl.article_spans.subject is 'Canonical subject name of the listing''s slug at the time.';
