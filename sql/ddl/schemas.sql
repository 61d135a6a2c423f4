-- Analysts read the main schema; run bookkeeping and report views live apart.
create schema if not exists etl;
create schema if not exists reports;
