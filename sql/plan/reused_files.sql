-- The files rows of reused files: the loaded version's, under the path found now.
select
    reused.source_path,
    false as is_deleted,
    null::bigint as mtime_ns,
    versions.* exclude (source_path, mtime_ns),
from reused
inner join etl.file_versions as versions
    on versions.source_path = reused.from_path and versions.sha256 = reused.sha256
qualify row_number() over (partition by reused.source_path order by versions.valid_from desc) = 1
order by reused.source_path
