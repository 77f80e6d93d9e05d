# Two commands on a fresh machine:  `make demo` (grade the bundled examples)  and  `make test`.
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: setup system-deps demo test lint bench clean

setup: $(VENV)/.installed

# bubblewrap for the isolating sandbox; installed with apt when we are root and it is missing.
system-deps:
	@command -v bwrap >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq bubblewrap >/dev/null; \
	  else echo "bubblewrap is missing: install it (apt-get install bubblewrap) for the isolating sandbox"; fi; }

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/pip install --disable-pip-version-check -q -e '.[dev]'
	touch $@

demo: setup system-deps
	$(BIN)/judge list
	$(BIN)/judge verify recommender-svd

lint: setup
	$(BIN)/ruff check grader harness tests bench
	$(BIN)/mypy

test: system-deps lint
	$(BIN)/pytest -q

bench: setup
	$(BIN)/python bench/grade_overhead.py
	$(BIN)/python bench/sandboxes.py

clean:
	rm -rf $(VENV) build *.egg-info .mypy_cache .ruff_cache
