# The two commands a newcomer needs: `make demo` and `make test`.
# Both set up everything themselves on a fresh Debian 12 machine.

SHELL := /bin/bash
PYTHON ?= python3
# Use the active virtualenv if there is one, else the project's own .venv.
VENV := $(if $(VIRTUAL_ENV),$(VIRTUAL_ENV),$(CURDIR)/.venv)
BIN := $(VENV)/bin
STAMP := $(VENV)/.pbx-bridge-installed

.PHONY: test demo lint typecheck unit venv clean bench soak

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check pbx_bridge tests benchmarks
	$(BIN)/ruff format --check pbx_bridge tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest tests/unit

# The testbed (Asterisk root, SIPp, sox, systemd-analyze) is provisioned first; outside
# CI a machine that cannot (not root) still runs the tests that need none of it.
# Two workers, whole files each (a file's tests share their fixtures); each worker starts its
# own Asterisk, and the real-call tests spend most of their time waiting on the calls' clock.
test: lint typecheck $(STAMP)
	tests/testbed/provision || [ "$$CI" != "true" ]
	$(BIN)/pytest -n 2 --dist loadfile

# A real Asterisk 22 (provisioned into .cache/ on first use), the daemon, SIPp agents
# and sample calls; prints what each caller experienced.
demo: $(STAMP)
	$(BIN)/python -m tests.testbed.demo

# Every benchmark in sequence (report, tracker, routing overhead on the real Asterisk, FastAGI
# throughput, memory), each under flock /tmp/pbxb-heavy.lock; writes docs/benchmarks-latest.md.
# About 11-15 minutes; needs the testbed (tests/testbed/provision, as root).
bench: $(STAMP)
	tests/testbed/provision
	$(BIN)/python -m benchmarks.run_all

# The soak (5,000 calls of the realistic mix at 20 per second, about 5 minutes), the fault
# suite, and the CDR reconciliation with the daemon down for 60 s, each under
# flock /tmp/pbxb-heavy.lock; needs the testbed (as for bench).
soak: $(STAMP)
	tests/testbed/provision
	flock /tmp/pbxb-heavy.lock $(BIN)/python -m tests.system.soak
	flock /tmp/pbxb-heavy.lock $(BIN)/python -m tests.system.faults
	PBXB_CDR_OUTAGE_S=60 flock /tmp/pbxb-heavy.lock $(BIN)/pytest -q tests/integration/test_cdr_reconciliation.py

clean:
	rm -rf .venv .mypy_cache .ruff_cache .pytest_cache
