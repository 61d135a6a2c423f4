-- What article_listings held at time ts: the page versions valid then, with the canonical
-- subject names of that time.
create or replace macro article_listings_as_of(ts) as table
    with

    pages as (
        select *
        from page_versions
        where valid_from <= ts::timestamptz
            and (valid_to is null or valid_to > ts::timestamptz)
    ),

    subjects as (
        select subject_slug, subject from subjects_as_of(ts)
    ),

    first_listings as (
        select article_id, source_path from articles_as_of(ts)
    ),

    final as (
        select
            pages.source_path,
            pages.article_id,
            coalesce(subjects.subject, pages.subject_as_written) as subject,
            pages.subject_as_written,
            pages.subject_slug,
            pages.url,
            pages.seo_title,
            pages.seo_page_description,
            pages.seo_page_keywords,
            first_listings.source_path is not null as is_first_listing,
            pages.sha256,
            pages.valid_from as version_valid_from,
        from pages
        left join subjects using (subject_slug)
        left join first_listings
            on first_listings.article_id = pages.article_id
            and first_listings.source_path = pages.source_path
    )

    select * from final;
