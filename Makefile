# Two entry points for a fresh machine (Debian 12, Python 3.11): `make build` and `make test`.
# Both create .venv and install atlas-etp into it first; nothing is installed system-wide.

VENV   ?= .venv
PYTHON ?= python3
BIN     = $(VENV)/bin

.PHONY: build test lint clean constraints

# Installs the versions pinned in constraints.txt, the same on every machine and CI runner.
$(BIN)/atlas-etp: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	touch $@

build: $(BIN)/atlas-etp  ## install, then build the default edition (Thailand, Thai) into build/
	$(BIN)/atlas-etp build --country thailand --lang th

lint: $(BIN)/atlas-etp
	$(BIN)/ruff check atlas_etp tests benchmarks

test: lint  ## install, lint, run the test suite
	$(BIN)/atlas-etp schema --check
	$(BIN)/pytest -q

constraints:  ## re-pin: resolve '.[test]' afresh in a throwaway venv, write its versions to constraints.txt
	tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(PYTHON) -m venv "$$tmp" && \
	"$$tmp/bin/pip" install --quiet --upgrade pip && \
	"$$tmp/bin/pip" install --quiet -e '.[test]' && \
	{ grep '^#' constraints.txt; "$$tmp/bin/pip" freeze --exclude-editable; } > constraints.txt.new && \
	mv constraints.txt.new constraints.txt

clean:
	rm -rf build .pytest_cache
