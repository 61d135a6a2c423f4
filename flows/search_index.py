"""The search index's documents of parsed pages, made where the pages are parsed.

Splitting and stemming every word is as much work as the parse itself, so it runs in the
parse workers, a batch at a time, with the rules in ``sql/search/documents.sql`` and the
stemmer of DuckDB's fts extension; the merge only keeps the new rows
(``etl.search_documents``), as it keeps the parsed pages.
"""

from __future__ import annotations

import threading

import duckdb
import pyarrow as pa

from flows.sqlfiles import read_sql
from flows.warehouse import conform, load_search_extension
from transforms import schemas

_LOCAL = threading.local()


def search_documents(pages: pa.Table, points: pa.Table) -> pa.Table:
    """One row per document of these pages: the article and each answer point, with its
    stemmed words' counts (``schemas.SEARCH_DOCUMENTS``)."""
    if pages.num_rows == 0:
        return schemas.SEARCH_DOCUMENTS.empty_table()
    con = _connection()
    con.register("pages", pages)
    con.register("points", points)
    try:
        rows = con.execute(read_sql("search", "documents")).to_arrow_table()
    finally:
        con.unregister("pages")
        con.unregister("points")
    return conform(rows, schemas.SEARCH_DOCUMENTS)


def _connection() -> duckdb.DuckDBPyConnection:
    """An in-memory database with fts loaded and the word rules of the state (the
    stopword table and the word-splitting macro), made once per thread."""
    con: duckdb.DuckDBPyConnection | None = getattr(_LOCAL, "con", None)
    if con is None:
        con = duckdb.connect()
        con.execute("set threads = 1")
        load_search_extension(con)
        con.execute("create schema etl")
        con.execute(read_sql("ddl", "etl.search_stopwords"))
        con.execute(read_sql("macros", "etl.search_words"))
        _LOCAL.con = con
    return con
