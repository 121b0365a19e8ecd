# Two commands do all the set-up on a fresh machine with Python 3.11+:
#   make run   - install, start the embedded PostgreSQL, load the demo, serve GraphQL
#   make test  - install, run every test
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint typecheck schema bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	# The development mail sink (reminders land there; GET /dev/mail shows them) lives as
	# long as the server does.
	$(BIN)/congtam mail-sink & SINK=$$!; trap "kill $$SINK" EXIT INT TERM; \
		$(BIN)/congtam serve --demo

test: install
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest -n 2 --dist loadfile

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

schema: install
	$(BIN)/congtam schema > graphql/schema.graphql

bench: install
	$(BIN)/congtam bench --scale small

clean:
	rm -rf $(VENV) .data .pytest_cache .mypy_cache .ruff_cache
