"""Performance measurements that print figures and their targets (`make bench`); the pass/fail
soak and fault suites are tests and live in tests/system/."""
