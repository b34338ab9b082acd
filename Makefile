# The two commands a newcomer needs: `make up` and `make test`.
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# How many local workers `make up` starts; empty: one per visible CUDA GPU, else one.
WORKERS ?=
# How many processes `make test` runs the suite in (pytest-xdist; a test file stays in one process).
TEST_PROCESSES ?= 2
export KERAS_BACKEND := torch

.PHONY: up test setup clean screenshots

setup: $(STAMP)

# Re-installs only when pyproject.toml changes; a second `make up` sets up nothing.
$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

up: $(STAMP)
	$(PY) scripts/up.py --host $(HOST) --port $(PORT) $(if $(WORKERS),--workers $(WORKERS))

test: $(STAMP)
	$(PY) -m pytest -n $(TEST_PROCESSES) --dist loadfile $(PYTEST_ARGS)

# The README's pictures (docs/img/), from runs on the real reviews: needs BATTLEFIELD_ACLIMDB.
screenshots: $(STAMP)
	$(PY) scripts/screenshots.py $(SCREENSHOT_ARGS)

clean:
	rm -rf $(VENV) test-artifacts .pytest_cache
