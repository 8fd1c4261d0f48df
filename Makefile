# make run   — set up .venv on first use, then start LaMP Studio
# make test  — set up .venv on first use, then run the whole test suite (GUI tests under Xvfb)
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: setup run test bench clean

setup:
	@bash scripts/setup_env.sh

run: setup
	$(VENV)/bin/lamp-studio

test: setup
	$(PY) -m pytest -q

bench: setup
	$(PY) -m benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
