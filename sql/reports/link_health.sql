create or replace view reports.link_health as
with

links as (
    select source_path, link_status from main.page_related_links
),

pages as (
    select source_path, subject from main.article_listings
),

counted as (
    select
        pages.subject,
        count(*) as link_count,
        count(*) filter (where links.link_status = 'ok') as ok_count,
        count(*) filter (where links.link_status = 'moved') as moved_count,
        count(*) filter (where links.link_status = 'dead') as dead_count,
    from links
    inner join pages using (source_path)
    group by pages.subject
),

final as (
    select
        *,
        round(ok_count / link_count, 4) as ok_share,
    from counted
)

select * from final
order by dead_count + moved_count desc, subject;
comment on view reports.link_health is 'Related-article links per subject of the linking page: ok, moved or dead (page_related_links.link_status); the subjects with the most links to fix first. broken_related_links and moved_related_links list the links themselves.';
comment on column reports.link_health.subject is 'Canonical subject of the pages that hold the links.';
comment on column reports.link_health.link_count is 'Related links on those pages.';
comment on column reports.link_health.ok_count is 'Links whose id is a current article.';
comment on column reports.link_health.moved_count is 'Links whose id is gone but whose URL is a current page: fix the id.';
comment on column reports.link_health.dead_count is 'Links that lead nowhere: neither the id nor the URL is current.';
comment on column reports.link_health.ok_share is 'ok_count over link_count.';
