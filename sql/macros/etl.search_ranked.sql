-- The current documents of one kind (point_index 0: articles; above 0: answer points)
-- that have a word of the query, ranked by BM25 (k1 = 1.2, b = 0.75) exactly as DuckDB's
-- full-text search extension scores them: the query split and stemmed as fts splits and
-- stems it, each term weighed by how few current documents have it, its count in the
-- document, and the document's length against the average.
create or replace macro etl.search_ranked(query, of_points) as table
with

query_terms as (
    select distinct stem(unnest(etl.search_words(query)), 'porter') as term
),

current_documents as (
    select spans.article_id, documents.point_index, documents.term_count, documents.terms,
    from etl.article_spans as spans
    inner join etl.search_documents as documents using (source_path, sha256)
    where spans.is_current and (documents.point_index > 0) = of_points
),

collection as (
    select count(*) as document_count, avg(term_count) as average_length,
    from current_documents
),

matches as (
    select documents.article_id, documents.point_index, documents.term_count,
        query_terms.term, documents.terms[query_terms.term] as term_frequency,
    from current_documents as documents
    cross join query_terms
    where documents.terms[query_terms.term] is not null
),

document_frequencies as (
    select term, count(*) as document_frequency
    from matches
    group by term
),

scored as (
    select
        matches.article_id,
        matches.point_index,
        sum(
            log(
                (collection.document_count - frequencies.document_frequency + 0.5)
                / (frequencies.document_frequency + 0.5) + 1
            )
            * matches.term_frequency * (1.2 + 1)
            / (
                matches.term_frequency
                + 1.2 * (1 - 0.75 + 0.75 * matches.term_count / collection.average_length)
            )
        ) as score,
    from matches
    inner join document_frequencies as frequencies using (term)
    cross join collection
    group by matches.article_id, matches.point_index
)

select * from scored;
