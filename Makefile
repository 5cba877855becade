VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# `make test MYPY=true` skips the type check (e.g. while its errors are being fixed elsewhere)
MYPY ?= $(VENV)/bin/mypy

.PHONY: demo test typecheck contracts bench lint clean interop

# The Azure CLI for `make interop`, in a venv of its own: never a dependency of kvconsole.
AZ_VENV ?= .venv-az
AZ_CLI_VERSION := 2.91.0
AZ_STAMP := $(AZ_VENV)/.installed-$(AZ_CLI_VERSION)

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

# The Azure CLI, unchanged, against `kvconsole emulator` (tests/interop). Loopback only: in a
# private network namespace where `unshare` works (root), else on this host's network.
$(AZ_STAMP):
	python3 -m venv $(AZ_VENV)
	$(AZ_VENV)/bin/python -m pip install --quiet azure-cli==$(AZ_CLI_VERSION)
	touch $(AZ_STAMP)

interop: $(STAMP) $(AZ_STAMP)
	@if unshare -n true 2>/dev/null; then \
		KVCONSOLE_INTEROP=1 unshare -n sh -c 'ip link set lo up && \
			$(PY) -m pytest -p no:cacheprovider tests/interop'; \
	else \
		echo "make interop: no network namespace (unshare needs root); using this host's network"; \
		KVCONSOLE_INTEROP=1 $(PY) -m pytest -p no:cacheprovider tests/interop; \
	fi

bench: $(STAMP)
	$(PY) bench/run.py

lint: $(STAMP)
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

clean:
	rm -rf $(VENV) build *.egg-info
