create table if not exists subjects (
    subject_slug varchar primary key,
    subject varchar not null,
    listing_count bigint not null,
);
comment on table subjects is 'One canonical name per subject slug: the spelling most listings use (ties: the one that sorts first).';
comment on column subjects.subject_slug is 'Subject slug, as in listing URLs and source folders.';
comment on column subjects.subject is 'Canonical subject name.';
comment on column subjects.listing_count is 'Number of listing files (loaded or stale) under this slug.';
