-- A text's words as DuckDB's full-text search extension (fts) splits them, before
-- stemming: accents stripped, lower case, split at digits, punctuation and whitespace
-- (its tokenize macro with its default ignore pattern, which splits at whitespace after
-- the pattern; the one pattern here and a plain split give the same words faster).
create or replace macro etl.search_words(text) as
    list_filter(
        string_split(
            regexp_replace(
                lower(strip_accents(text::varchar)),
                '[0-9!@#$%^&*()_+={}\[\]:;<>,.?~\\/\|''"`\s-]+',
                ' ',
                'g'
            ),
            ' '
        ),
        lambda word: word <> ''
    );
