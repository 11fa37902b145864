"""Benchmark scripts that print figures (not timed tests); `generate_calls` also feeds tests."""
