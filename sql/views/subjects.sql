create or replace view subjects as
select * from subjects_as_of('infinity');
comment on view subjects is 'One canonical name per subject slug: the spelling most listings use (ties: the one that sorts first). Key: subject_slug.';
comment on column subjects.subject_slug is 'Subject slug, as in listing URLs and source folders.';
comment on column subjects.subject is 'Canonical subject name.';
comment on column subjects.listing_count is 'Number of listing files (loaded or stale) under this slug.';
