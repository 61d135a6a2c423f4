"""How well search finds what an analyst looks for, against plain ILIKE: recall@10 and
mean reciprocal rank on known-item queries.

The labelled set is built from the warehouse itself, from text search does not index:
each query is the first four words of an article's SEO meta description (stopwords
dropped), a paraphrase written for search engines; the right answers are that article
and any whose normalized question is the same. ILIKE is what an analyst writes without
search: the articles whose title, question or answer contain every query word, in
article id order (it has no ranking).

    python -m flows.search_quality warehouse/quicktakes.duckdb [QUERIES]
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from flows.warehouse import load_search_extension

QUERY_WORDS = 4
CUTOFF = 10

LABELLED = """
with

described as (
    select article_id, question_hash, seo_page_description
    from articles
    where seo_page_description is not null
    order by hash(article_id), article_id
    limit $queries
),

words as (
    select article_id, question_hash, word, position,
    from (
        select *, unnest(etl.search_words(seo_page_description)) as word,
            generate_subscripts(etl.search_words(seo_page_description), 1) as position,
        from described
    )
    anti join etl.search_stopwords using (word)
),

queries as (
    select article_id, question_hash, string_agg(word, ' ' order by position) as query,
    from (
        select *, row_number() over (partition by article_id order by position) as nth
        from words
    )
    where nth <= $query_words
    group by article_id, question_hash
)

select queries.query, list(distinct articles.article_id) as relevant,
from queries
inner join articles using (question_hash)
group by queries.article_id, queries.query
order by queries.article_id
"""

SEARCH = "select article_id from search_articles($query) limit $cutoff"

ILIKE = """
select article_id
from articles
where list_bool_and(
    [concat_ws(' ', title, question, answer_text) ilike '%' || word || '%'
     for word in string_split($query, ' ')]
)
order by article_id
limit $cutoff
"""


@dataclass(frozen=True, slots=True)
class Quality:
    method: str
    queries: int
    recall_at_10: float
    mean_reciprocal_rank: float
    median_ms: float

    def render(self) -> str:
        return (
            f"{self.method:<7} {self.queries:>6,} queries  recall@{CUTOFF} "
            f"{self.recall_at_10:.3f}  MRR {self.mean_reciprocal_rank:.3f}  "
            f"median {self.median_ms:.0f} ms a query"
        )


def evaluate(database: Path, queries: int) -> list[Quality]:
    """Both methods on the same ``queries`` known-item queries."""
    with duckdb.connect(str(database), read_only=True) as con:
        load_search_extension(con)
        labelled = con.execute(
            LABELLED, {"queries": queries, "query_words": QUERY_WORDS}
        ).fetchall()
        return [
            _measure(con, name, sql, labelled)
            for name, sql in (("search", SEARCH), ("ILIKE", ILIKE))
        ]


def _measure(
    con: duckdb.DuckDBPyConnection, method: str, sql: str, labelled: list[tuple[str, list[int]]]
) -> Quality:
    found = reciprocal = 0.0
    times = []
    for query, relevant in labelled:
        started = time.perf_counter()
        ranked = [row[0] for row in con.execute(sql, {"query": query, "cutoff": CUTOFF}).fetchall()]
        times.append((time.perf_counter() - started) * 1000)
        rank = next((n for n, article in enumerate(ranked, start=1) if article in relevant), None)
        found += rank is not None
        reciprocal += 1 / rank if rank else 0
    count = max(len(labelled), 1)
    return Quality(
        method,
        len(labelled),
        found / count,
        reciprocal / count,
        sorted(times)[len(times) // 2] if times else 0.0,
    )


def main(argv: list[str]) -> int:
    database = Path(argv[0])
    queries = int(argv[1]) if len(argv) > 1 else 500
    for quality in evaluate(database, queries):
        print(quality.render())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
