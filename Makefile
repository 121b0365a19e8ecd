# Two commands do all the set-up on a fresh machine with Python 3.11+:
#   make run   - install, start the embedded PostgreSQL, load the demo, serve GraphQL
#   make test  - install, run every test
# Installs are reproducible: exactly the versions in requirements-dev.lock (the image uses
# requirements.lock). After changing pyproject.toml's dependencies: `make lock`, and commit.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
UV := $(BIN)/uv
UV_VERSION := 0.13.9
DEV_LOCK := requirements-dev.lock
LOCK := requirements.lock
LOCK_FLAGS ?=
# uv pip compile: one lock for every platform and Python 3.11+ (the image's too).
COMPILE := $(UV) pip compile pyproject.toml --universal --python-version 3.11 --quiet

.PHONY: install lock run test lint typecheck schema bench clean vendor

# uv, pinned, from PyPI into the venv: only Python 3.11+ is needed on the machine.
$(UV):
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet 'uv==$(UV_VERSION)'

$(STAMP): pyproject.toml $(DEV_LOCK) $(LOCK) | $(UV)
	$(BIN)/python deploy/lock.py check
	$(UV) pip sync --quiet --python $(BIN)/python $(DEV_LOCK)
	$(UV) pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

# Re-resolve after pyproject.toml's dependencies changed; pins already in the lock are kept
# unless LOCK_FLAGS=--upgrade. The runtime lock is constrained by the dev lock, so the image
# and the tests run the same versions.
lock: | $(UV)
	$(COMPILE) $(LOCK_FLAGS) --extra dev -o $(DEV_LOCK)
	$(COMPILE) $(LOCK_FLAGS) -c $(DEV_LOCK) -o $(LOCK)
	$(BIN)/python deploy/lock.py stamp

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

# The web app's vendored scripts (htmx, GraphiQL): needs node/npm, only here.
vendor:
	bash deploy/vendor-web-assets.sh

bench: install
	$(BIN)/congtam bench --scale small

clean:
	rm -rf $(VENV) .data .pytest_cache .mypy_cache .ruff_cache
