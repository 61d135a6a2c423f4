create table if not exists etl.schema_objects (
    fingerprint varchar primary key,
    applied_at timestamptz not null,
);
comment on table etl.schema_objects is 'Fingerprints of the sql/ tables, views, macros and reports applied to this file: a run applies them again only when they changed. Key: fingerprint.';
comment on column etl.schema_objects.fingerprint is 'SHA-256 (16 hex digits) of the schema version and the text of every applied sql/ file, in order.';
comment on column etl.schema_objects.applied_at is 'When they were applied.';
