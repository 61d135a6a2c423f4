create or replace view etl.rejected_files as
with

files as (
    select * from etl.file_versions where is_current and status = 'rejected'
),

final as (
    select
        source_path,
        error_kind,
        error_message,
        error_line,
        error_column,
    from files
)

select * from final;
comment on view etl.rejected_files is 'Files the source holds now that could not become pages, and why (stale ones included). Key: source_path.';
comment on column etl.rejected_files.source_path is 'File path relative to the source root, /-separated.';
comment on column etl.rejected_files.error_kind is 'Short code: not_utf8, no_frontmatter, unterminated_frontmatter, yaml_error, not_a_mapping, missing_field, invalid_field, too_complex, read_error, internal_error.';
comment on column etl.rejected_files.error_message is 'What is wrong and where.';
comment on column etl.rejected_files.error_line is '1-based line in the file where the error was found, when known.';
comment on column etl.rejected_files.error_column is '1-based column in that line, when known.';
