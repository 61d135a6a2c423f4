create table if not exists etl.page_contents (
    source_path varchar not null,
    sha256 varchar not null,
    article_id bigint not null,
    published_date date,
    title varchar,
    article_title varchar,
    question varchar,
    answer_markdown varchar not null,
    answer_intro varchar,
    answer_conclusion varchar,
    answer_text varchar not null,
    answer_word_count integer not null,
    subject_as_written varchar,
    subject_slug varchar,
    url varchar,
    file_name varchar,
    author varchar,
    score double,
    is_no_index boolean not null,
    seo_title varchar,
    seo_page_description varchar,
    seo_page_keywords varchar,
    point_count integer not null,
    keyword_count integer not null,
    related_count integer not null,
    content_sha256 varchar not null,
    article_sha256 varchar not null,
    extra json not null,
);
-- Added after schema version 5 was first released; a state from before gets them here
-- (nullable, as its rows have none), and its rows their values when the new parsing code
-- re-derives them.
alter table etl.page_contents add column if not exists answer_text varchar;
alter table etl.page_contents add column if not exists answer_word_count integer;
comment on table etl.page_contents is 'What every page version ever loaded says, once per path and bytes (page_versions reads it through etl.page_spans). Key: source_path, sha256.';
comment on column etl.page_contents.source_path is 'File path relative to the source root, /-separated.';
comment on column etl.page_contents.sha256 is 'SHA-256 of the file''s bytes.';
comment on column etl.page_contents.article_id is 'The article this page lists (frontmatter id).';
comment on column etl.page_contents.published_date is 'Frontmatter date.';
comment on column etl.page_contents.title is 'Frontmatter title.';
comment on column etl.page_contents.article_title is 'Frontmatter article_title (the on-page heading).';
comment on column etl.page_contents.question is 'The question the article answers.';
comment on column etl.page_contents.answer_markdown is 'The whole answer as Markdown, with the publisher''s \n escapes decoded.';
comment on column etl.page_contents.answer_intro is 'Answer text before its first numbered point.';
comment on column etl.page_contents.answer_conclusion is 'Answer text after its last top-level numbered list.';
comment on column etl.page_contents.subject_as_written is 'The subject exactly as this file spells it.';
comment on column etl.page_contents.subject_slug is 'Subject slug from the page URL (/learn/<slug>/questions/...), else its folder.';
comment on column etl.page_contents.url is 'Site URL of this page.';
comment on column etl.page_contents.file_name is 'Frontmatter file_name.';
comment on column etl.page_contents.author is 'Frontmatter author.';
comment on column etl.page_contents.score is 'Frontmatter score; null when absent.';
comment on column etl.page_contents.is_no_index is 'Frontmatter no_index; false when absent.';
comment on column etl.page_contents.seo_title is 'This page''s seo.title.';
comment on column etl.page_contents.seo_page_description is 'This page''s seo.page_description.';
comment on column etl.page_contents.seo_page_keywords is 'This page''s seo.page_keywords as written.';
comment on column etl.page_contents.point_count is 'Numbered points of the answer.';
comment on column etl.page_contents.keyword_count is 'Distinct SEO keywords of this page.';
comment on column etl.page_contents.related_count is 'Related-article links of this page.';
comment on column etl.page_contents.content_sha256 is 'SHA-256 of title, question and answer: listings of one id with different values are conflicts.';
comment on column etl.page_contents.article_sha256 is 'SHA-256 of every field the page gives its article: an article gets a new version when this, its first listing or its canonical subject changes.';
comment on column etl.page_contents.extra is 'Every frontmatter field without a column of its own, as JSON.';
comment on column etl.page_contents.answer_text is 'The answer as plain text (transforms/plain_text.py): Markdown marks, link targets and line breaks removed.';
comment on column etl.page_contents.answer_word_count is 'Space-separated words in answer_text.';
