-- Words in a text, counted as answer_word_count counts them: runs of characters other
-- than whitespace. 0 for empty text, null for null.
create or replace macro word_count(text) as
    len(list_filter(regexp_split_to_array(text, '\s+'), lambda word: word <> ''));
