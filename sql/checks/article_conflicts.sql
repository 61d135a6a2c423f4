-- severity: warn
-- Listings of one article id whose title, question or answer differ from the listing the
-- article was taken from: the first loaded listing by path wins, the others are reported.
with

pages as (
    select source_path, article_id, content_sha256
    from etl.page_spans
    inner join etl.page_contents using (source_path, sha256, article_id)
    where is_current
),

loaded as (
    select source_path from etl.source_files where status = 'loaded'
),

kept as (
    select articles.article_id, articles.source_path as kept_source_path, pages.content_sha256
    from etl.article_spans as articles
    inner join pages using (source_path)
    where articles.is_current
),

conflicts as (
    select pages.article_id, pages.source_path, kept.kept_source_path
    from pages
    semi join loaded using (source_path)
    inner join kept using (article_id)
    where pages.content_sha256 is distinct from kept.content_sha256
)

select * from conflicts order by article_id, source_path
