-- What articles held at time ts: the article versions valid then.
create or replace macro articles_as_of(ts) as table
    select * exclude (valid_from, valid_to, is_current, opened_run_id, closed_run_id),
        valid_from as version_valid_from,
    from article_versions
    where valid_from <= ts::timestamptz
        and (valid_to is null or valid_to > ts::timestamptz);
