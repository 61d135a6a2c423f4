insert into etl.check_results (
    run_id,
    check_name,
    severity,
    failing_row_count,
    sample_rows
)
values ($run_id, $check_name, $severity, $failing_row_count, $sample_rows)
