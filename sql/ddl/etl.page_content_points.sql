create table if not exists etl.page_content_points (
    source_path varchar not null,
    sha256 varchar not null,
    point_index integer not null,
    list_number integer not null,
    section varchar,
    heading varchar,
    body varchar not null,
);
comment on table etl.page_content_points is 'Answer points of every page version ever loaded, by the version''s path and bytes (page_versions.source_path, sha256). Key: source_path, sha256, point_index.';
comment on column etl.page_content_points.source_path is 'The page (page_versions.source_path).';
comment on column etl.page_content_points.sha256 is 'The page version''s bytes (page_versions.sha256).';
comment on column etl.page_content_points.point_index is 'Position of the point over the whole answer, 1..point_count.';
comment on column etl.page_content_points.list_number is 'The number as written before the point.';
comment on column etl.page_content_points.section is 'Text of the nearest preceding Markdown heading.';
comment on column etl.page_content_points.heading is 'The bold lead-in of the point.';
comment on column etl.page_content_points.body is 'The rest of the point as Markdown.';
