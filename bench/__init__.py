"""Benchmarks for Hearth: `make bench` (``python -m bench``) prints a table.

Timings live here, never in tests. The run uses its own database, so it
never touches the developer's data.
"""
