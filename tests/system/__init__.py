"""The soak and the fault scenarios: pass/fail runs of many calls through the real Asterisk
(`make soak` at full size; `test_soak_ci.py` and `test_faults.py` run them shortened)."""
