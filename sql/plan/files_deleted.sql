-- Files the state holds that the source no longer has.
with

known as (
    select source_path from etl.file_versions where is_current
),

final as (
    select source_path from known anti join discovered using (source_path)
)

select * from final order by source_path
