# Everything bootstraps from a fresh clone: the venv, Python packages (and npm packages where used).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)

.PHONY: bootstrap demo test lint schemas docs serve bench clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	rm -f $(VENV)/.installed-* && touch $(STAMP)

bootstrap: $(STAMP)

demo: bootstrap
	$(PY) -m local carousel "Functional Programming with TypeScript" --slides 5

test: bootstrap
	$(PY) -m pytest

lint: bootstrap
	$(PY) -m ruff check .

serve: bootstrap
	$(PY) -m local serve --port 8080

# Regenerate what is derived from the event catalog: events/schemas/ and the README diagram.
schemas: bootstrap
	$(PY) -m tools.catalog_docs --write

clean:
	rm -rf $(VENV) out cdk.out
