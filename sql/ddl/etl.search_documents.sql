create table if not exists etl.search_documents (
    source_path varchar not null,
    sha256 varchar not null,
    point_index integer not null,
    term_count integer not null,
    terms map(varchar, integer) not null,
);
comment on table etl.search_documents is 'The search index: every document of every page version ever loaded, with its words as DuckDB''s full-text search extension (fts) indexes them (sql/search/documents.sql). A document is a page version''s article, its title, question and plain-text answer (point_index 0), or one of its answer points, heading and body (point_index 1..n). search_articles and search_points rank the current ones. Key: source_path, sha256, point_index.';
comment on column etl.search_documents.source_path is 'The page (page_versions.source_path).';
comment on column etl.search_documents.sha256 is 'The page version''s bytes (page_versions.sha256).';
comment on column etl.search_documents.point_index is '0 for the whole article, else the answer point (answer_points.point_index).';
comment on column etl.search_documents.term_count is 'Indexed words in the document, repeats counted: BM25 weighs scores by it.';
comment on column etl.search_documents.terms is 'Each term (a word with accents stripped, lower case, Porter-stemmed; stopwords, in etl.search_stopwords, are never indexed) with how many times the document has it.';
