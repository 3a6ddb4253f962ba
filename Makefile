# HSB Portal: `make run` serves the demo; `make test` runs the whole test suite.
# DATABASE_URL chooses the database (SQLite under var/ when unset).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Development only: DEBUG on, plain HTTP, a key that is never used anywhere else.
DEV_ENV := DEBUG=1 HTTPS=0 SECRET_KEY=development-only-key-not-for-any-real-deployment-0123456789

.PHONY: run demo-code test lint benchmark supply-chain assets deps system-packages browser-packages release clean

run: deps assets
	mkdir -p var
	$(DEV_ENV) $(BIN)/python manage.py migrate --no-input
	$(DEV_ENV) $(BIN)/python manage.py seed_demo
	$(DEV_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

# The security code a demo person's authenticator shows now: make demo-code EMAIL=manager@harbourside.example
demo-code:
	@$(DEV_ENV) $(BIN)/python manage.py demo_code $(EMAIL)

test: deps assets browser-packages
	$(BIN)/python -m pytest

lint: deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit --quiet --recursive --severity-level medium hsb_portal triage referrals strategy --exclude '*/migrations/*'
	$(BIN)/mypy hsb_portal triage referrals strategy
	$(BIN)/lint-imports --no-cache
	$(DEV_ENV) $(BIN)/python manage.py makemigrations --check --dry-run

# The benchmark of issue 18 (PostgreSQL, DATABASE_URL's server or the local one): builds or reuses
# a world of REFERRALS referrals and prints every page's p50, p95 and query count.
#   make benchmark REFERRALS=100000 BENCHMARK_ARGS="--load --verify"
REFERRALS ?= 10000
benchmark: deps assets
	scripts/benchmark --referrals $(REFERRALS) $(BENCHMARK_ARGS)

# Supply chain (security.md V15.1.2, V15.2.1): a CycloneDX SBOM of the installed environment and
# pip-audit of every pinned dependency, failing on any known vulnerability. Needs the network,
# so it is neither in lint nor test. The tools live in their own venv, outside our dependencies.
# pip-audit reads every installed package (pip and setuptools too, as the SBOM lists them) but
# the project itself, which is editable and not on PyPI.
TOOLS := var/tools-venv

supply-chain: $(VENV)/.installed
	mkdir -p var
	test -d $(TOOLS) || $(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --upgrade pip cyclonedx-bom pip-audit
	$(TOOLS)/bin/cyclonedx-py environment --output-reproducible --of JSON -o var/sbom.cdx.json $(BIN)/python
	@echo "SBOM: var/sbom.cdx.json"
	$(BIN)/pip freeze --all --exclude-editable > var/requirements-resolved.txt
	$(TOOLS)/bin/pip-audit --strict --desc --no-deps --disable-pip -r var/requirements-resolved.txt

deps: system-packages $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

assets: static/govuk/app.css

static/govuk/app.css: package.json package-lock.json frontend/app.scss frontend/app.js frontend/build.mjs
	npm ci --no-audit --no-fund --loglevel=error
	npm run --silent build

# The release artefact a server installs (README, "Deploying"): code, built assets, wheels, lock.
release: deps
	scripts/release.sh

system-packages:
	@scripts/system-packages.sh app

browser-packages:
	@scripts/system-packages.sh browser

clean:
	rm -rf $(VENV) node_modules static/govuk var build dist
