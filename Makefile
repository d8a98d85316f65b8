# The two commands of the README: `make demo` and `make test`. Both install what is missing.
SHELL := /bin/bash
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: demo test check system install

system:
	@scripts/install-system-packages.sh

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

# The interface's translations, compiled from the .po files kept in each app's locale folder.
MESSAGES := $(patsubst %.po,%.mo,$(shell find virtualtrip -path '*/locale/*' -name '*.po'))
%.mo: %.po
	msgfmt --check -o $@ $<

install: system $(STAMP) $(MESSAGES)

demo: install
	$(BIN)/virtualtrip migrate --noinput
	$(BIN)/virtualtrip load-demo --now
	$(BIN)/virtualtrip load-demo-documents
	@$(BIN)/virtualtrip demo-access --base-url http://$(HOST):$(PORT)
	@echo "Serving the demo trip at http://$(HOST):$(PORT)/trips/mexico-canada-2021/"
	$(BIN)/virtualtrip serve --host $(HOST) --port $(PORT)

check: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy virtualtrip tests benchmarks
	DATABASE_URL= $(BIN)/virtualtrip makemigrations --check --dry-run

test: check
	@echo "== test suite on SQLite (the default database)"
	DATABASE_URL= $(BIN)/pytest -m "not browser"
	@echo "== whole suite on PostgreSQL and Redis, browsers and Janus included, in a network namespace"
	scripts/in-netns.sh scripts/with-postgres.sh scripts/with-redis.sh $(BIN)/pytest
