VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# `make test MYPY=true` skips the type check (e.g. while its errors are being fixed elsewhere)
MYPY ?= $(VENV)/bin/mypy

.PHONY: demo test typecheck contracts bench lint clean

$(PY):
	python3 -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/kvconsole --demo

test: $(STAMP) lint typecheck contracts
	$(PY) -m pytest

typecheck: $(STAMP)
	$(MYPY)

contracts: $(STAMP)
	$(VENV)/bin/lint-imports

bench: $(STAMP)
	$(PY) bench/run.py

lint: $(STAMP)
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

clean:
	rm -rf $(VENV) build *.egg-info
