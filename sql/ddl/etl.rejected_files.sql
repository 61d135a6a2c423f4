create table if not exists etl.rejected_files (
    source_path varchar not null,
    error_kind varchar not null,
    error_message varchar not null,
    error_line integer,
    error_column integer,
);
comment on table etl.rejected_files is 'Files of the last run that could not become articles, and why. Key: source_path (unique, checked before every publish).';
comment on column etl.rejected_files.source_path is 'File path relative to the source root, /-separated.';
comment on column etl.rejected_files.error_kind is 'Short code: not_utf8, no_frontmatter, unterminated_frontmatter, yaml_error, not_a_mapping, missing_field, invalid_field, read_error.';
comment on column etl.rejected_files.error_message is 'What is wrong and where.';
comment on column etl.rejected_files.error_line is '1-based line in the file where the error was found, when known.';
comment on column etl.rejected_files.error_column is '1-based column in that line, when known.';
