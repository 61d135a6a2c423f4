-- The canonical names before the run: a renamed subject changes every article under it.
create or replace temp table subjects_before as
select subject_slug, subject from main.subjects
