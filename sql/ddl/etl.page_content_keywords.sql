create table if not exists etl.page_content_keywords (
    source_path varchar not null,
    sha256 varchar not null,
    position integer not null,
    keyword varchar not null,
    keyword_normalized varchar not null,
);
comment on table etl.page_content_keywords is 'SEO keywords of every page version ever loaded. Key: source_path, sha256, position.';
comment on column etl.page_content_keywords.source_path is 'The page (page_versions.source_path).';
comment on column etl.page_content_keywords.sha256 is 'The page version''s bytes (page_versions.sha256).';
comment on column etl.page_content_keywords.position is 'Position in the page''s keyword list, from 1.';
comment on column etl.page_content_keywords.keyword is 'The keyword as first spelled on the page.';
comment on column etl.page_content_keywords.keyword_normalized is 'Case-folded keyword with inner spaces collapsed.';
