create or replace view answer_points as
select * from answer_points_as_of('infinity');
comment on view answer_points is 'The numbered points of each article''s answer (from its first listing): items of its top-level ordered lists, as CommonMark parses them. Key: article_id, point_index.';
comment on column answer_points.article_id is 'The article (articles.article_id).';
comment on column answer_points.point_index is 'Position of the point over the whole answer, 1..point_count.';
comment on column answer_points.list_number is 'The number as written before the point (lists can restart or skip).';
comment on column answer_points.section is 'Text of the nearest preceding Markdown heading; null when none precedes.';
comment on column answer_points.heading is 'The bold lead-in of the point without ** and trailing colon; null when absent.';
comment on column answer_points.body is 'The rest of the point as Markdown, nested bullets and steps included.';
