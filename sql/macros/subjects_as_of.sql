-- The canonical subject names at time ts, over the pages valid then.
create or replace macro subjects_as_of(ts) as table
    with

    pages as (
        select subject_slug, subject_as_written
        from page_versions
        where valid_from <= ts::timestamptz
            and (valid_to is null or valid_to > ts::timestamptz)
    ),

    spellings as (
        select subject_slug, subject_as_written, count(*) as spelling_count,
        from pages
        where subject_slug is not null
        group by all
    ),

    final as (
        select
            subject_slug,
            -- the spelling most listings use, ties to the one that sorts first; a slug
            -- that no listing names keeps the slug itself as its name
            coalesce(
                arg_min(
                    subject_as_written,
                    (-spelling_count, subject_as_written)
                ) filter (where subject_as_written is not null and subject_as_written != ''),
                subject_slug
            ) as subject,
            sum(spelling_count)::bigint as listing_count,
        from spellings
        group by subject_slug
    )

    select * from final;
