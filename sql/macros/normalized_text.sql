-- Text reduced for comparing questions: accents stripped, lower case, every run of
-- characters other than letters and digits one space, trimmed. Two questions that differ
-- only in case, punctuation or spacing normalize to the same text.
create or replace macro normalized_text(text) as
    trim(regexp_replace(lower(strip_accents(text)), '[^a-z0-9]+', ' ', 'g'));
