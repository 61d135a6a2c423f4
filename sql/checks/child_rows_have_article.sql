-- severity: error
-- Every current page lists a current article (pages of files this run changed or lost).
with

pages as (
    select source_path, article_id
    from etl.page_spans
    semi join file_changes using (source_path)
    where is_current
),

orphans as (
    select pages.source_path, pages.article_id
    from pages
    anti join main.articles using (article_id)
)

select * from orphans order by source_path
