create or replace view reports.duplicate_questions as
with

questions as (
    select
        article_id,
        primary_subject,
        question,
        question_normalized,
        string_split(question_normalized, ' ') as words,
    from main.articles
    where question_normalized <> ''
),

blocks as (
    -- near duplicates share their first or their last six words: comparing only those
    -- pairs keeps the report to a second on the real corpus, where comparing all pairs of
    -- a subject took minutes
    select article_id, question_normalized, array_to_string(words[1:6], ' ') as block_key
    from questions
    union all
    select article_id, question_normalized, array_to_string(words[-6:], ' ')
    from questions
),

candidates as (
    select distinct
        one.article_id,
        other.article_id as other_article_id,
        one.question_normalized = other.question_normalized as is_exact,
        1 - levenshtein(one.question_normalized, other.question_normalized)
            / greatest(length(one.question_normalized), length(other.question_normalized))
            as similarity,
    from blocks as one
    inner join blocks as other
        on one.block_key = other.block_key and one.article_id < other.article_id
),

final as (
    select
        case when candidates.is_exact then 'exact' else 'near' end as match,
        round(candidates.similarity, 3) as similarity,
        candidates.article_id,
        candidates.other_article_id,
        one.primary_subject,
        other.primary_subject as other_primary_subject,
        one.question,
        other.question as other_question,
    from candidates
    inner join questions as one using (article_id)
    inner join questions as other on other.article_id = candidates.other_article_id
    where candidates.similarity >= 0.9
)

select * from final
order by match, similarity desc, article_id, other_article_id;
comment on view reports.duplicate_questions is 'Pairs of articles asking the same question: exact (equal after normalizing case, accents, punctuation and spaces: articles.question_normalized) or near (a normalized Levenshtein similarity of at least 0.9 between questions that share their first or last six words).';
comment on column reports.duplicate_questions.match is 'exact: the normalized questions are equal; near: they differ a little.';
comment on column reports.duplicate_questions.similarity is '1 minus the Levenshtein distance between the normalized questions over the longer one''s length: 1 for exact, at least 0.9 for near.';
comment on column reports.duplicate_questions.article_id is 'One article of the pair (the smaller id).';
comment on column reports.duplicate_questions.other_article_id is 'The other article.';
comment on column reports.duplicate_questions.primary_subject is 'The first article''s primary subject.';
comment on column reports.duplicate_questions.other_primary_subject is 'The other article''s primary subject.';
comment on column reports.duplicate_questions.question is 'The first article''s question, as written.';
comment on column reports.duplicate_questions.other_question is 'The other article''s question, as written.';
