create table if not exists etl.page_content_links (
    source_path varchar not null,
    sha256 varchar not null,
    rank integer not null,
    related_article_id bigint,
    related_title varchar,
    related_subject varchar,
    related_url varchar,
);
comment on table etl.page_content_links is 'Related-article links of every page version ever loaded. Key: source_path, sha256, rank.';
comment on column etl.page_content_links.source_path is 'The page (page_versions.source_path).';
comment on column etl.page_content_links.sha256 is 'The page version''s bytes (page_versions.sha256).';
comment on column etl.page_content_links.rank is 'N of the related_articleN field.';
comment on column etl.page_content_links.related_article_id is 'Id of the linked article as the link gives it.';
comment on column etl.page_content_links.related_title is 'Title of the linked article as the link gives it.';
comment on column etl.page_content_links.related_subject is 'Subject of the linked article as the link gives it.';
comment on column etl.page_content_links.related_url is 'URL of the linked page.';
