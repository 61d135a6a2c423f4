-- severity: warn
-- Listings of one article id whose title, question or answer differ from the listing the
-- article was taken from: the first loaded listing by path wins, the others are reported.
with

files as (
    select source_path, article_id, content_sha256
    from etl.source_files
    where status = 'loaded'
),

kept as (
    select articles.article_id, articles.source_path as kept_source_path, files.content_sha256
    from main.articles
    inner join files using (source_path)
),

conflicts as (
    select files.article_id, files.source_path, kept.kept_source_path
    from files
    inner join kept using (article_id)
    where files.content_sha256 is distinct from kept.content_sha256
)

select * from conflicts order by article_id, source_path
