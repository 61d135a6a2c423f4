create table if not exists etl.schema_version (
    version integer primary key,
    applied_at timestamptz not null,
);
comment on table etl.schema_version is 'Warehouse schema versions applied, newest last; a project refuses a warehouse newer than it knows.';
comment on column etl.schema_version.version is 'Schema version: 5 is the warehouse of versioned pages (flows/warehouse.py SCHEMA_VERSION).';
comment on column etl.schema_version.applied_at is 'When this version was applied.';
