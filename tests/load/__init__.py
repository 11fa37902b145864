"""Generators of synthetic load shared by the tests and the benchmarks."""
