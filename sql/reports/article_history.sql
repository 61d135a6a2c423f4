create or replace view reports.article_history as
with

versions as (
    -- the derived columns follow from the stored ones: comparing them adds nothing, and
    -- deriving them for every version is the report's largest cost
    select * exclude (
        primary_subject, subject_as_written, published_month, answer_text, answer_word_count,
        question_word_count, answer_structure, question_normalized, question_hash,
        description_length
    )
    from main.article_versions
),

paired as (
    select
        versions.*,
        lag(versions) over (partition by article_id order by valid_from) as previous,
    from versions
),

final as (
    select
        article_id,
        valid_from,
        valid_to,
        is_current,
        opened_run_id,
        title,
        case
            when previous is null then ['(first version)']
            else list_filter(
                [
                    case when title is distinct from previous.title then 'title' end,
                    case when article_title is distinct from previous.article_title then 'article_title' end,
                    case when question is distinct from previous.question then 'question' end,
                    case when answer_markdown is distinct from previous.answer_markdown then 'answer_markdown' end,
                    case when answer_intro is distinct from previous.answer_intro then 'answer_intro' end,
                    case when answer_conclusion is distinct from previous.answer_conclusion then 'answer_conclusion' end,
                    case when published_date is distinct from previous.published_date then 'published_date' end,
                    case when subject is distinct from previous.subject then 'subject' end,
                    case when subject_slug is distinct from previous.subject_slug then 'subject_slug' end,
                    case when url is distinct from previous.url then 'url' end,
                    case when file_name is distinct from previous.file_name then 'file_name' end,
                    case when author is distinct from previous.author then 'author' end,
                    case when score is distinct from previous.score then 'score' end,
                    case when is_no_index is distinct from previous.is_no_index then 'is_no_index' end,
                    case when seo_title is distinct from previous.seo_title then 'seo_title' end,
                    case when seo_page_description is distinct from previous.seo_page_description then 'seo_page_description' end,
                    case when seo_page_keywords is distinct from previous.seo_page_keywords then 'seo_page_keywords' end,
                    case when point_count is distinct from previous.point_count then 'point_count' end,
                    case when keyword_count is distinct from previous.keyword_count then 'keyword_count' end,
                    case when related_count is distinct from previous.related_count then 'related_count' end,
                    case when source_path is distinct from previous.source_path then 'source_path' end,
                    case when extra is distinct from previous.extra then 'extra' end,
                ],
                lambda field: field is not null
            )
        end as changed_fields,
        previous.valid_from as previous_valid_from,
    from paired
)

select * from final
order by article_id, valid_from;
comment on view reports.article_history is 'Every article version with the fields that changed from the version before it (previous_valid_from); a version that reappears after a deletion lists what differs from the last one before it.';
comment on column reports.article_history.article_id is 'The article.';
comment on column reports.article_history.valid_from is 'When this version started (article_versions.valid_from).';
comment on column reports.article_history.valid_to is 'When it ended; null while current.';
comment on column reports.article_history.is_current is 'True for the version in articles now.';
comment on column reports.article_history.opened_run_id is 'The run that made this version (etl.runs.run_id).';
comment on column reports.article_history.title is 'The title in this version.';
comment on column reports.article_history.changed_fields is 'Names of the article_versions columns that differ from the version before; [(first version)] for the first.';
comment on column reports.article_history.previous_valid_from is 'valid_from of the version before; null for the first.';
