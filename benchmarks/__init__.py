"""Benchmarks (run with ``make bench``); never timed assertions in tests."""
