-- Same bytes under a new modification time (a touch, a copy) or read from another kind of
-- source: no new version, but the next run must not read the file again.
update etl.file_versions
set
    size_bytes = file_changes.size_bytes,
    mtime_ns = file_changes.mtime_ns,
    blob_id = file_changes.blob_id
from file_changes
where file_versions.is_current
    and file_versions.source_path = file_changes.source_path
    and file_changes.event is null
    and not file_changes.is_deleted
