-- The search documents of a batch of parsed pages: each page version's article (title,
-- question and plain-text answer; point_index 0) and each of its answer points (heading
-- and body), split into words as DuckDB's full-text search extension (fts) splits them
-- (etl.search_words), stopwords dropped (etl.search_stopwords), each word then
-- Porter-stemmed as fts stems it, and counted. Run by the parse workers on each batch.
with

documents as (
    select source_path, sha256, 0 as point_index,
        concat_ws(' ', title, question, answer_text) as text,
    from pages
    union all
    select source_path, sha256, point_index, concat_ws(' ', heading, body),
    from points
),

numbered as (
    select *, row_number() over () as document_no,
    from documents
),

words as (
    select document_no, word, count(*) as word_count,
    from (
        select document_no, unnest(etl.search_words(text)) as word,
        from numbered
    )
    group by all
),

vocabulary as (
    -- each distinct word stemmed once
    select word, stem(word, 'porter') as term,
    from (select distinct word from words)
    anti join etl.search_stopwords using (word)
),

counted as (
    -- words with one stem ("run", "running") are one term
    select document_no, term, sum(word_count)::integer as term_frequency,
    from words
    inner join vocabulary using (word)
    group by all
),

per_document as (
    select document_no, sum(term_frequency)::integer as term_count,
        map_from_entries(list({'key': term, 'value': term_frequency})) as terms,
    from counted
    group by document_no
),

final as (
    select
        numbered.source_path,
        numbered.sha256,
        numbered.point_index::integer as point_index,
        coalesce(per_document.term_count, 0) as term_count,
        coalesce(per_document.terms, map()) as terms,
    from numbered
    left join per_document using (document_no)
)

select * from final
