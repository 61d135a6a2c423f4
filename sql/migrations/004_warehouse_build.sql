-- Version 4: how each run made the published file (whole, patched or unchanged).
alter table etl.runs add column if not exists warehouse_build varchar;
