-- The business rule that makes articles from pages, over the current pages: which listing
-- each article takes its fields from, and its canonical subject. For the articles in the
-- list article_ids, or all of them when it is null: a run derives only the articles it
-- touched, and ranking only their pages is what makes that cheap (a filter on the view
-- would rank every page first).
create or replace macro etl.derived_articles_of(article_ids) as table
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
            and (article_ids is null or spans.article_id in (select unnest(article_ids)))
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
