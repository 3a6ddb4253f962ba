# HSB Portal: `make run` serves the demo; `make test` runs the whole test suite.
# DATABASE_URL chooses the database (SQLite under var/ when unset).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Development only: DEBUG on, plain HTTP, a key that is never used anywhere else.
DEV_ENV := DEBUG=1 HTTPS=0 SECRET_KEY=development-only-key-not-for-any-real-deployment-0123456789

.PHONY: run demo-code test lint assets deps system-packages browser-packages clean

run: deps assets
	mkdir -p var
	$(DEV_ENV) $(BIN)/python manage.py migrate --no-input
	$(DEV_ENV) $(BIN)/python manage.py createcachetable
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
	$(DEV_ENV) $(BIN)/python manage.py makemigrations --check --dry-run

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

system-packages:
	@scripts/system-packages.sh app

browser-packages:
	@scripts/system-packages.sh browser

clean:
	rm -rf $(VENV) node_modules static/govuk var
