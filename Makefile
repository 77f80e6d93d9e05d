# Two commands on a fresh machine:  `make demo` (grade the bundled examples)  and  `make test`.
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: setup demo test lint bench clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/pip install --disable-pip-version-check -q -e '.[dev]'
	touch $@

demo: setup
	$(BIN)/judge list
	$(BIN)/judge verify recommender-svd

lint: setup
	$(BIN)/ruff check grader harness tests bench
	$(BIN)/mypy

test: lint
	$(BIN)/pytest -q

bench: setup
	$(BIN)/python bench/grade_overhead.py

clean:
	rm -rf $(VENV) build *.egg-info .mypy_cache .ruff_cache
