# Fenxiao — the two commands are `make run` and `make test`; the rest are helpers.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

CARGO ?= cargo
NPM ?= npm
FRONTEND := frontend

.PHONY: help run test test-backend test-frontend test-e2e openapi fmt lint frontend-deps frontend-build

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

$(FRONTEND)/node_modules/.package-lock.json: $(FRONTEND)/package.json $(FRONTEND)/package-lock.json
	cd $(FRONTEND) && $(NPM) ci --no-audit --no-fund
	@touch $@

frontend-deps: $(FRONTEND)/node_modules/.package-lock.json ## Install the SPA's packages (npm ci)

frontend-build: frontend-deps ## Build the SPA into frontend/dist
	cd $(FRONTEND) && $(NPM) run build

run: frontend-build ## Build the SPA and the server, then serve both on SQLite (./data)
	$(CARGO) build --release --bin fenxiao
	./target/release/fenxiao serve

test: ## Every check and test: formatting, lints, backend (SQLite + PostgreSQL), SPA, browser
	@if [ -z "$${FENXIAO_TEST_POSTGRES_URL:-}" ]; then \
	  echo "NOTE: FENXIAO_TEST_POSTGRES_URL is not set: the PostgreSQL variants of the backend tests will not run."; \
	  echo "      e.g. FENXIAO_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres make test"; \
	fi
	$(MAKE) lint
	$(MAKE) test-backend
	$(MAKE) test-frontend
	$(MAKE) test-e2e

test-backend: ## Backend unit and integration tests
	$(CARGO) test --workspace

test-frontend: frontend-deps ## SPA type check, API types check and unit tests
	cd $(FRONTEND) && $(NPM) run check:api && $(NPM) run typecheck && $(NPM) test

test-e2e: frontend-build ## Browser tests: the built SPA served by the real backend, in headless Chromium
	@# With the test targets, so the binary shares the artifacts `cargo test` built (no rebuild).
	$(CARGO) build --all-targets
	cd $(FRONTEND) && FENXIAO_BIN=../target/debug/fenxiao $(NPM) run e2e

openapi: frontend-deps ## Regenerate openapi/openapi.json and the SPA's API types from the code
	$(CARGO) run --quiet --bin fenxiao -- openapi > openapi/openapi.json
	cd $(FRONTEND) && $(NPM) run gen:api

fmt: frontend-deps ## Format Rust and TypeScript
	$(CARGO) fmt --all
	cd $(FRONTEND) && $(NPM) run format

lint: frontend-deps ## rustfmt check, clippy -D warnings, biome, tsc
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	cd $(FRONTEND) && $(NPM) run lint && $(NPM) run typecheck
