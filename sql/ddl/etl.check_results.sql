create table if not exists etl.check_results (
    run_id varchar not null,
    check_name varchar not null,
    severity varchar not null,
    failing_row_count bigint not null,
    sample_rows json,
    primary key (run_id, check_name),
);
comment on table etl.check_results is 'Result of every data check (sql/checks) of every run: a failing error check stops the publish.';
comment on column etl.check_results.run_id is 'The run (etl.runs.run_id).';
comment on column etl.check_results.check_name is 'The check, named after its file in sql/checks.';
comment on column etl.check_results.severity is 'error (stops the publish) or warn (reported only).';
comment on column etl.check_results.failing_row_count is 'Rows the check returned: 0 means it passed.';
comment on column etl.check_results.sample_rows is 'Up to 5 of the failing rows, as JSON objects.';
