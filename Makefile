# The Makefile is the interface: CI and the README call these targets.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install system-deps generate check-generated lint typecheck test bench demo update-specs wheel-check clean

install: $(STAMP) node_modules/.installed system-deps

# redis-server (Debian) for the RedisRateLimiter tests; installing it needs root.
system-deps:
	@command -v redis-server >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing redis-server (Debian)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; \
	  else \
	    echo "install redis-server to run the Redis limiter tests (skipped without it)"; \
	  fi; }

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

generate: $(STAMP)
	$(PY) scripts/generate.py

# Regenerates and fails if anything generated differs from what is committed: the
# package, the API reference and the always-sent table derived from Altegio's examples.
GENERATED := altegio_async docs scripts/always_sent.yaml
check-generated: generate
	git diff --exit-code -- $(GENERATED)
	@test -z "$$(git status --porcelain --untracked-files=all -- $(GENERATED))" || \
		{ git status --porcelain --untracked-files=all -- $(GENERATED); \
		  echo "check-generated: untracked generated files (run make generate and commit)"; exit 1; }

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check . --exclude altegio_async

typecheck: $(STAMP)
	$(VENV)/bin/mypy

test: install
	$(VENV)/bin/pytest

# Ratios against baselines measured in the same run; takes about five and a half minutes.
bench: install
	$(PY) scripts/bench.py

demo: install
	$(PY) scripts/demo.py

update-specs: $(STAMP)
	$(PY) scripts/update_specs.py

# Builds the wheel and proves it works from a clean venv, under mypy --strict.
wheel-check: $(STAMP)
	$(PY) scripts/wheel_check.py

clean:
	rm -rf build dist .mypy_cache .pytest_cache .ruff_cache
