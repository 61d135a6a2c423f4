create table if not exists etl.derivations (
    parser_version varchar not null,
    derived_at timestamptz not null,
);
comment on table etl.derivations is 'The parsing code the warehouse''s rows were derived with, newest last: a run with other code first rebuilds every version from the lake''s raw bytes.';
comment on column etl.derivations.parser_version is 'Fingerprint of the transforms package (etl.runs.parser_version).';
comment on column etl.derivations.derived_at is 'When the warehouse was first built or rebuilt with it.';
