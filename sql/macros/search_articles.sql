-- Full-text search over the current articles: select * from search_articles('query').
create or replace macro search_articles(query) as table
with

ranked as (
    select article_id, score from etl.search_ranked(query, false)
),

articles as (
    select article_id, title, primary_subject, url, answer_text from main.articles
),

snippet_pattern as (
    -- the answer's first word that starts with a query word or its stem, with the text
    -- around it
    select '(?i)(?:^|\W)(.{0,80}\b(?:'
        || string_agg(distinct word || '|' || stem(word, 'porter'), '|')
        || ')\w*.{0,80})' as pattern,
    from (select unnest(etl.search_words(query)) as word)
),

final as (
    select
        ranked.article_id,
        articles.title,
        articles.primary_subject,
        round(ranked.score, 4) as score,
        coalesce(
            nullif(trim(regexp_extract(articles.answer_text, snippet_pattern.pattern, 1)), ''),
            left(articles.answer_text, 160)
        ) as snippet,
        articles.url,
    from ranked
    inner join articles using (article_id)
    cross join snippet_pattern
)

select * from final
order by score desc, article_id;
