# Entrenous: `make run` (install, database, demo data, server) and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | md5sum | cut -c1-12)
CATALOGS := $(patsubst %.po,%.mo,$(wildcard translations/*/LC_MESSAGES/messages.po))

.PHONY: install run test translations extract-messages browser bench model lint clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	# torch first, pinned: pip then keeps the CPU build instead of fetching CUDA packages.
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-* && touch $@

translations: $(STAMP) $(CATALOGS)

translations/%/LC_MESSAGES/messages.mo: translations/%/LC_MESSAGES/messages.po
	$(BIN)/pybabel compile --statistics -d translations -l $*

# Re-extract the strings to translate and merge them into the catalogues.
extract-messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o translations/messages.pot --no-location --sort-output --omit-header --ignore-dirs=".venv tests bench migrations instance" .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching

run: translations
	$(FLASK) db upgrade
	$(FLASK) forum seed-demo
	$(FLASK) run --host 127.0.0.1 --port 5000

# Debian's Chromium for the end-to-end test (Playwright's own browser download cannot work here).
browser:
	@command -v chromium >/dev/null || { apt-get update -q && apt-get install -y -q chromium; }

test: translations browser
	$(BIN)/python -m pytest

bench: translations
	$(BIN)/python bench/serve_bench.py

# Retrain the bundled toxicity model from ../shared/datasets/toxicity and moderation/classifier/data.
model: $(STAMP)
	$(FLASK) moderation train

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy --ignore-missing-imports models moderation

clean:
	rm -rf $(VENV) instance .pytest_cache
