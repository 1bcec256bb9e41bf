"""Benchmarks: every stage timed against its baseline in the same run (`make bench SCALE=...`)."""
