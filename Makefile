# Two commands on a fresh machine:  `make demo` (grade the bundled examples)  and  `make test`.
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: setup system-deps bytecode demo test test-fast lint bench clean

setup: $(VENV)/.installed

# bubblewrap (the isolating sandbox) and chromium (the tests load the HTML reports in it);
# installed with apt when we are root and they are missing.
SYSTEM_PACKAGES := bubblewrap:bwrap chromium:chromium
system-deps:
	@missing=""; for pair in $(SYSTEM_PACKAGES); do \
	  command -v $${pair#*:} >/dev/null 2>&1 || missing="$$missing $${pair%%:*}"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "missing system packages:$$missing (apt-get install$$missing)"; fi; fi

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/pip install --disable-pip-version-check -q -e '.[dev,tf]'
	touch $@

# the project's bytecode, written even where PYTHONDONTWRITEBYTECODE is set: every judge process (and
# each sandbox's copy of the harness) reads it instead of compiling its modules at every start
bytecode: setup
	$(BIN)/python -m compileall -q -j 0 grader harness

demo: setup system-deps bytecode
	$(BIN)/judge list
	$(BIN)/judge verify recommender-svd

lint: setup
	$(BIN)/ruff check grader harness tests bench
	$(BIN)/mypy

test: system-deps lint bytecode
	$(BIN)/pytest -q --durations=30

# the fast lane while working (about two minutes); CI runs `make test`
test-fast: setup bytecode
	$(BIN)/pytest -q -m "not slow" tests/unit tests/e2e/test_cli.py tests/attacks/test_text_as_data.py tests/batch/test_discover.py

bench: setup bytecode
	$(BIN)/python bench/grade_overhead.py
	$(BIN)/python bench/sandboxes.py

clean:
	rm -rf $(VENV) build *.egg-info .mypy_cache .ruff_cache
