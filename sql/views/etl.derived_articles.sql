create or replace view etl.derived_articles as
select * from etl.derived_articles_of(null);
comment on view etl.derived_articles is 'The business rule that makes articles from pages, over the current pages: which listing each article takes its fields from, and its canonical subject. A run starts a new article version wherever this differs from the current one.';
comment on column etl.derived_articles.article_id is 'The article''s frontmatter id.';
comment on column etl.derived_articles.source_path is 'The listing its fields come from: the first loaded one by path, else the first stale one.';
comment on column etl.derived_articles.sha256 is 'The bytes of that listing now (etl.page_contents.sha256).';
comment on column etl.derived_articles.article_sha256 is 'Fingerprint of the fields that listing gives the article.';
comment on column etl.derived_articles.subject is 'Canonical subject name of the listing''s slug.';
