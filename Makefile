# Two entry points for a fresh machine (Debian 12, Python 3.11): `make build` and `make test`.
# Both create .venv and install atlas-etp into it first; nothing is installed system-wide.

VENV   ?= .venv
PYTHON ?= python3
BIN     = $(VENV)/bin

.PHONY: build test lint clean

$(BIN)/atlas-etp: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

build: $(BIN)/atlas-etp  ## install, then build the default edition (Thailand, Thai) into build/
	$(BIN)/atlas-etp build --country thailand --lang th

lint: $(BIN)/atlas-etp
	$(BIN)/ruff check atlas_etp tests benchmarks

test: lint  ## install, lint, run the test suite
	$(BIN)/pytest -q

clean:
	rm -rf build .pytest_cache
