"""Prefect orchestration and I/O around the pure transforms."""
