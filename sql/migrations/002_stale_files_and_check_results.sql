-- Version 2: stale files, content fingerprints and check results. New tables come
-- from sql/ddl (create if not exists); this file alters what version 1 created.
alter table etl.source_files add column if not exists content_sha256 varchar;
alter table etl.runs add column if not exists files_stale_count bigint;
