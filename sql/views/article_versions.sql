create or replace view article_versions as
with

spans as (
    select * from etl.article_spans
),

contents as (
    select * from etl.page_contents
),

final as (
    select
        spans.article_id,
        spans.valid_from,
        spans.valid_to,
        spans.is_current,
        spans.opened_run_id,
        spans.closed_run_id,
        contents.published_date,
        contents.title,
        contents.article_title,
        contents.question,
        contents.answer_markdown,
        contents.answer_intro,
        contents.answer_conclusion,
        spans.subject,
        contents.subject_slug,
        contents.url,
        contents.file_name,
        contents.author,
        contents.score,
        contents.is_no_index,
        contents.seo_title,
        contents.seo_page_description,
        contents.seo_page_keywords,
        contents.point_count,
        contents.keyword_count,
        contents.related_count,
        spans.source_path,
        contents.extra,
    from spans
    inner join contents using (source_path, sha256)
)

select * from final;
comment on view article_versions is 'Every version of every article, type-2 history: a new version starts when any column changes or the article appears or reappears; a deletion closes the last one. Key: article_id, valid_from.';
comment on column article_versions.article_id is 'The article''s frontmatter id.';
comment on column article_versions.valid_from is 'Source time of the run that made this version.';
comment on column article_versions.valid_to is 'Source time of the run that changed or removed it; null while current.';
comment on column article_versions.is_current is 'True for the version in articles now (valid_to is null).';
comment on column article_versions.opened_run_id is 'The run that made this version (etl.runs.run_id).';
comment on column article_versions.closed_run_id is 'The run that closed it; null while current.';
comment on column article_versions.article_id is 'The article''s frontmatter id.';
comment on column article_versions.published_date is 'Frontmatter date: the day the article was published.';
comment on column article_versions.title is 'Frontmatter title.';
comment on column article_versions.article_title is 'Frontmatter article_title (the on-page heading).';
comment on column article_versions.question is 'The question the article answers.';
comment on column article_versions.answer_markdown is 'The whole answer as Markdown, with the publisher''s \n escapes decoded to newlines.';
comment on column article_versions.answer_intro is 'Answer text before its first numbered point (the whole answer when it has no points).';
comment on column article_versions.answer_conclusion is 'Answer text after its last top-level numbered list; null when nothing follows.';
comment on column article_versions.subject is 'Canonical subject name of the first listing''s slug (see subjects).';
comment on column article_versions.subject_slug is 'Subject slug of the first listing.';
comment on column article_versions.url is 'Site URL of the first listing.';
comment on column article_versions.file_name is 'Frontmatter file_name.';
comment on column article_versions.author is 'Frontmatter author.';
comment on column article_versions.score is 'Frontmatter score; null when the file has none.';
comment on column article_versions.is_no_index is 'Frontmatter no_index: true asks search engines not to index; false when absent.';
comment on column article_versions.seo_title is 'seo.title of the first listing.';
comment on column article_versions.seo_page_description is 'seo.page_description of the first listing.';
comment on column article_versions.seo_page_keywords is 'seo.page_keywords of the first listing, as written.';
comment on column article_versions.point_count is 'Number of numbered points (rows in answer_points).';
comment on column article_versions.keyword_count is 'Number of distinct SEO keywords of the first listing (rows in article_keywords).';
comment on column article_versions.related_count is 'Number of related-article links of the first listing (rows in related_articles).';
comment on column article_versions.source_path is 'The listing the fields come from: the first loaded one by path, else the first stale one.';
comment on column article_versions.extra is 'Every frontmatter field without a column of its own, as JSON, so nothing is dropped.';
