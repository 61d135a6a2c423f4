-- What answer_points held at time ts: the points of the page content each article's
-- version took its fields from.
create or replace macro answer_points_as_of(ts) as table
    with

    spans as (
        select article_id, source_path, sha256
        from etl.article_spans
        where valid_from <= ts::timestamptz
            and (valid_to is null or valid_to > ts::timestamptz)
    ),

    final as (
        select
            spans.article_id,
            points.point_index,
            points.list_number,
            points.section,
            points.heading,
            points.body,
        from spans
        inner join etl.page_content_points as points using (source_path, sha256)
    )

    select * from final;
