create table if not exists articles (
    article_id bigint not null,
    published_date date,
    title varchar,
    article_title varchar,
    question varchar,
    answer_markdown varchar not null,
    answer_intro varchar,
    answer_conclusion varchar,
    subject varchar,
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
    source_path varchar not null,
    extra json not null,
);
comment on table articles is 'One row per QuickTakes article (distinct id); fields come from its first listing by source path. Key: article_id (unique, checked before every publish).';
comment on column articles.article_id is 'The article''s frontmatter id.';
comment on column articles.published_date is 'Frontmatter date: the day the article was published.';
comment on column articles.title is 'Frontmatter title.';
comment on column articles.article_title is 'Frontmatter article_title (the on-page heading).';
comment on column articles.question is 'The question the article answers.';
comment on column articles.answer_markdown is 'The whole answer as Markdown, with the publisher''s \n escapes decoded to newlines.';
comment on column articles.answer_intro is 'Answer text before its first numbered point (the whole answer when it has no points).';
comment on column articles.answer_conclusion is 'Answer text after its last top-level numbered list; null when nothing follows.';
comment on column articles.subject is 'Canonical subject name of the first listing''s slug (see subjects).';
comment on column articles.subject_slug is 'Subject slug of the first listing, from its URL.';
comment on column articles.url is 'Site URL of the first listing.';
comment on column articles.file_name is 'Frontmatter file_name.';
comment on column articles.author is 'Frontmatter author.';
comment on column articles.score is 'Frontmatter score; null when the file has none.';
comment on column articles.is_no_index is 'Frontmatter no_index: true asks search engines not to index; false when absent.';
comment on column articles.seo_title is 'seo.title: the HTML page title.';
comment on column articles.seo_page_description is 'seo.page_description: the meta description.';
comment on column articles.seo_page_keywords is 'seo.page_keywords as written (see article_keywords for the split list).';
comment on column articles.point_count is 'Number of numbered points (rows in answer_points).';
comment on column articles.keyword_count is 'Number of distinct SEO keywords (rows in article_keywords).';
comment on column articles.related_count is 'Number of related-article links (rows in related_articles).';
comment on column articles.source_path is 'The listing file the article''s fields were taken from (first by path).';
comment on column articles.extra is 'Every frontmatter field without a column of its own, as JSON, so nothing is dropped.';
