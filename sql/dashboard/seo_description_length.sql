-- Pages by the length of their meta description: search engines cut it at about 160
-- characters, so the buckets meet at 160.
with

lengths as (
    select length(seo_page_description) as description_length
    from article_listings
),

buckets as (
    select
        case
            when description_length is null or description_length = 0 then 0
            when description_length <= 120 then 1
            when description_length <= 160 then 2
            when description_length <= 200 then 3
            when description_length <= 300 then 4
            else 5
        end as bucket_order,
    from lengths
),

final as (
    select
        bucket_order,
        ['missing', '1-120', '121-160', '161-200', '201-300', 'over 300'][bucket_order + 1]
            as description_length,
        bucket_order >= 3 as is_over_limit,
        count(*) as page_count,
    from buckets
    group by bucket_order
)

select * from final
order by bucket_order;
