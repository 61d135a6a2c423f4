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
        spans.subject as primary_subject,
        contents.subject_as_written,
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
        date_trunc('month', contents.published_date)::date as published_month,
        contents.answer_text,
        contents.answer_word_count,
        word_count(contents.question) as question_word_count,
        answer_structure(contents.answer_markdown, contents.point_count) as answer_structure,
        normalized_text(contents.question) as question_normalized,
        md5(normalized_text(contents.question)) as question_hash,
        length(contents.seo_page_description) as description_length,
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
comment on column article_versions.primary_subject is 'The article''s one subject for counting and reports: the canonical name (subjects.subject) of the slug of its first listing by path, the listing its fields come from. Equal to subject. An article listed under several subjects counts once, here; article_listings has one row per listing, subject_as_written the spelling in the file.';
comment on column article_versions.subject_as_written is 'The subject exactly as the first listing''s file spells it (frontmatter subject).';
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
comment on column article_versions.published_month is 'First day of the month of published_date.';
comment on column article_versions.answer_text is 'The answer as plain text: Markdown marks, link targets and line breaks removed (transforms/plain_text.py, checked against the markdown-it parser).';
comment on column article_versions.answer_word_count is 'Space-separated words in answer_text.';
comment on column article_versions.question_word_count is 'Words in question, counted as answer_word_count counts them (macro word_count).';
comment on column article_versions.answer_structure is 'How the answer is laid out: numbered (it has numbered points), else bulleted, else headings, else prose (macro answer_structure).';
comment on column article_versions.question_normalized is 'The question without accents, case, punctuation or extra spaces (macro normalized_text): equal for questions that differ only in those.';
comment on column article_versions.question_hash is 'MD5 of question_normalized: one value per group of duplicate questions.';
comment on column article_versions.description_length is 'Characters in seo_page_description; search engines show about 160.';
