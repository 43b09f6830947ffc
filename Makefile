# icecfg: two commands on a fresh Debian/Ubuntu machine.
#   make demo   set everything up and run icecfg on the shipped examples
#   make test   set everything up and run every quality gate and test
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test setup system-deps oracles venv lint typecheck pytest bench schemas clean

demo: setup
	scripts/demo.sh

test: setup lint typecheck pytest

setup: system-deps oracles venv

system-deps:
	@scripts/install-system-deps.sh

# Icecast 2.5.0 and Icecast-KH built from source for the oracle tests (cached: ~0 s once built)
oracles: system-deps
	@scripts/build-oracles.sh >/dev/null

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

venv: $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]' --config-settings editable_mode=compat
	@# byte-compile once: the environment may forbid writing bytecode at run time,
	@# and a command-line tool should not recompile itself on every start
	$(BIN)/python -m compileall -q icecfg

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck:
	$(BIN)/mypy --strict icecfg

pytest:
	$(BIN)/python -m pytest -q

bench: setup
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) build *.egg-info .mypy_cache .ruff_cache .pytest_cache .hypothesis
