create table if not exists article_listings (
    source_path varchar not null,
    article_id bigint not null,
    subject varchar,
    subject_as_written varchar,
    subject_slug varchar,
    url varchar,
);
comment on table article_listings is 'One row per loaded source file: an article can be cross-listed under several subjects. Key: source_path (unique, checked before every publish).';
comment on column article_listings.source_path is 'File path relative to the source root, /-separated.';
comment on column article_listings.article_id is 'The article this file lists (articles.article_id).';
comment on column article_listings.subject is 'Canonical subject name for subject_slug.';
comment on column article_listings.subject_as_written is 'The subject exactly as this file spells it.';
comment on column article_listings.subject_slug is 'Subject slug from the listing URL (/learn/<slug>/questions/...).';
comment on column article_listings.url is 'Site URL of this listing.';
