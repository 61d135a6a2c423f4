create or replace view etl.derived_articles as
with

pages as (
    select
        spans.source_path,
        spans.sha256,
        spans.article_id,
        contents.subject_slug,
        contents.subject_as_written,
        contents.article_sha256,
    from etl.page_spans as spans
    inner join etl.page_contents as contents using (source_path, sha256)
    where spans.is_current
),

files as (
    select source_path, status from etl.file_versions where is_current
),

subjects as (
    select subject_slug, subject from main.subjects
),

ranked as (
    select
        pages.*,
        -- an article's fields come from its first loaded listing by path; only an article
        -- whose every listing went stale keeps the first stale one
        row_number() over (
            partition by pages.article_id
            order by files.status = 'loaded' desc, pages.source_path
        ) as listing_rank,
    from pages
    inner join files using (source_path)
),

final as (
    select
        ranked.article_id,
        ranked.source_path,
        ranked.sha256,
        ranked.article_sha256,
        coalesce(subjects.subject, ranked.subject_as_written) as subject,
    from ranked
    left join subjects using (subject_slug)
    where ranked.listing_rank = 1
)

select * from final;
comment on view etl.derived_articles is 'The business rule that makes articles from pages, over the current pages: which listing each article takes its fields from, and its canonical subject. A run starts a new article version wherever this differs from the current one.';
comment on column etl.derived_articles.article_id is 'The article''s frontmatter id.';
comment on column etl.derived_articles.source_path is 'The listing its fields come from: the first loaded one by path, else the first stale one.';
comment on column etl.derived_articles.sha256 is 'The bytes of that listing now (etl.page_contents.sha256).';
comment on column etl.derived_articles.article_sha256 is 'Fingerprint of the fields that listing gives the article.';
comment on column etl.derived_articles.subject is 'Canonical subject name of the listing''s slug.';
