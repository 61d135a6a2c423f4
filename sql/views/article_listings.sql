create or replace view article_listings as
select * from article_listings_as_of('infinity');
comment on view article_listings is 'The page table: one row per listed file the source holds now (loaded or stale); an article can be listed under several subjects, each page with its own SEO. Key: source_path.';
comment on column article_listings.source_path is 'File path relative to the source root, /-separated.';
comment on column article_listings.article_id is 'The article this page lists (articles.article_id).';
comment on column article_listings.subject is 'Canonical subject name for subject_slug (see subjects).';
comment on column article_listings.subject_as_written is 'The subject exactly as this file spells it.';
comment on column article_listings.subject_slug is 'Subject slug from the page URL (/learn/<slug>/questions/...).';
comment on column article_listings.url is 'Site URL of this page.';
comment on column article_listings.seo_title is 'This page''s seo.title: the HTML page title.';
comment on column article_listings.seo_page_description is 'This page''s seo.page_description: the meta description.';
comment on column article_listings.seo_page_keywords is 'This page''s seo.page_keywords as written (see page_keywords for the split list).';
comment on column article_listings.is_first_listing is 'True for the page the article''s fields come from (articles.source_path).';
comment on column article_listings.sha256 is 'SHA-256 of the bytes of the page''s current version.';
comment on column article_listings.version_valid_from is 'When this version of the page was loaded (page_versions.valid_from).';
