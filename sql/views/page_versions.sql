create or replace view page_versions as
with

spans as (
    select * from etl.page_spans
),

contents as (
    select * exclude (article_id) from etl.page_contents
),

final as (
    select
        spans.source_path,
        spans.valid_from,
        spans.valid_to,
        spans.is_current,
        spans.opened_run_id,
        spans.closed_run_id,
        spans.sha256,
        spans.article_id,
        contents.* exclude (source_path, sha256),
    from spans
    inner join contents using (source_path, sha256)
)

select * from final;
comment on view page_versions is 'Every version of every page (a listing file that parsed), type-2 history: a version starts when the file is loaded with new bytes and ends when it changes or is deleted; a file that turns bad (stale) keeps its version open. Key: source_path, valid_from.';
comment on column page_versions.source_path is 'File path relative to the source root, /-separated.';
comment on column page_versions.valid_from is 'Source time of the run that loaded this version.';
comment on column page_versions.valid_to is 'Source time of the run that loaded new bytes or saw the file deleted; null while current.';
comment on column page_versions.is_current is 'True for the version the warehouse holds now (valid_to is null).';
comment on column page_versions.opened_run_id is 'The run that loaded this version (etl.runs.run_id).';
comment on column page_versions.closed_run_id is 'The run that closed it; null while current.';
comment on column page_versions.sha256 is 'SHA-256 of the file''s bytes.';
comment on column page_versions.article_id is 'The article this page lists (frontmatter id).';
comment on column page_versions.published_date is 'Frontmatter date.';
comment on column page_versions.title is 'Frontmatter title.';
comment on column page_versions.article_title is 'Frontmatter article_title (the on-page heading).';
comment on column page_versions.question is 'The question the article answers.';
comment on column page_versions.answer_markdown is 'The whole answer as Markdown, with the publisher''s \n escapes decoded.';
comment on column page_versions.answer_intro is 'Answer text before its first numbered point.';
comment on column page_versions.answer_conclusion is 'Answer text after its last top-level numbered list.';
comment on column page_versions.subject_as_written is 'The subject exactly as this file spells it.';
comment on column page_versions.subject_slug is 'Subject slug from the page URL (/learn/<slug>/questions/...), else its folder.';
comment on column page_versions.url is 'Site URL of this page.';
comment on column page_versions.file_name is 'Frontmatter file_name.';
comment on column page_versions.author is 'Frontmatter author.';
comment on column page_versions.score is 'Frontmatter score; null when absent.';
comment on column page_versions.is_no_index is 'Frontmatter no_index; false when absent.';
comment on column page_versions.seo_title is 'This page''s seo.title.';
comment on column page_versions.seo_page_description is 'This page''s seo.page_description.';
comment on column page_versions.seo_page_keywords is 'This page''s seo.page_keywords as written.';
comment on column page_versions.point_count is 'Numbered points of the answer.';
comment on column page_versions.keyword_count is 'Distinct SEO keywords of this page.';
comment on column page_versions.related_count is 'Related-article links of this page.';
comment on column page_versions.content_sha256 is 'SHA-256 of title, question and answer: listings of one id with different values are conflicts.';
comment on column page_versions.article_sha256 is 'SHA-256 of every field the page gives its article: an article gets a new version when this, its first listing or its canonical subject changes.';
comment on column page_versions.extra is 'Every frontmatter field without a column of its own, as JSON.';
comment on column page_versions.answer_text is 'The answer as plain text: Markdown marks, link targets and line breaks removed (transforms/plain_text.py, checked against the markdown-it parser).';
comment on column page_versions.answer_word_count is 'Space-separated words in answer_text.';
