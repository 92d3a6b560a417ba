# Every target creates .venv when it is missing and installs the project into it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NODE_DIR := .node
NODE_STAMP := $(NODE_DIR)/.installed
SDK_PIN := tests/linear/sdk

.PHONY: run test lint bench reliability clean linear-schema chromium report-screenshot docs docker-test

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/syncer demo

# Linear's official TypeScript SDK, pinned by tests/linear/sdk/package-lock.json, for the conformance test that
# drives the Linear sandbox with it. Without npm the stamp is not made and that test skips (it fails under CI=true).
$(NODE_STAMP): $(SDK_PIN)/package.json $(SDK_PIN)/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		mkdir -p $(NODE_DIR) && cp $(SDK_PIN)/package.json $(SDK_PIN)/package-lock.json $(NODE_DIR)/ && \
		npm ci --prefix $(NODE_DIR) --no-audit --no-fund --loglevel=error && touch $(NODE_STAMP); \
	else \
		echo "npm not found: tests/linear/test_sdk_conformance.py will skip"; \
	fi

# Debian's chromium for tests/report/test_browser.py (the HTML report in a real browser). CI runs as root with
# apt: install it when missing. Elsewhere, without apt or root, say so: that test skips (it fails under CI=true).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
			apt-get install -y chromium || { apt-get update && apt-get install -y chromium; } || \
				echo "could not install chromium: tests/report/test_browser.py will skip"; \
		else \
			echo "chromium not found (apt-get install -y chromium): tests/report/test_browser.py will skip"; \
		fi; \
	}

test: $(STAMP) $(NODE_STAMP) chromium
	$(BIN)/python -m pytest -q

# docs/report-demo.png: the demo's grooming report (run `make run` first) as a browser shows it.
report-screenshot: $(STAMP) chromium
	$(BIN)/python bench/report_screenshot.py .demo/reports/grooming-report.html docs/report-demo.png

# Replace the Linear sandbox's schema: `make linear-schema SCHEMA=path/to/schema.graphql` (SDL, e.g. linear/linear
# packages/sdk/src/schema.graphql) or an introspection result (JSON); then check the connector's queries and the SDK.
linear-schema: $(STAMP) $(NODE_STAMP)
	@test -n "$(SCHEMA)" || { echo "usage: make linear-schema SCHEMA=path/to/schema.graphql|introspection.json"; exit 2; }
	$(BIN)/python -m connectors.linear.sandbox.schema_refresh "$(SCHEMA)"
	$(BIN)/python -m pytest -q tests/linear/test_queries.py tests/linear/test_sdk_conformance.py

# 10 fault sessions (plus 2 aimed at comment writes, on Jira 4 also at property saves) and 40 stopped sessions (a SIGTERM then
# two SIGKILLs) per tracker against both sandboxes; prints the counts in docs/reliability.md.
reliability: $(STAMP)
	$(BIN)/python -m pytest -q -s -m reliability tests/reliability

docs: $(STAMP)  ## regenerate docs/configuration.md from the settings models (a test fails when it is stale)
	$(BIN)/python -m syncer.settings.reference > docs/configuration.md

docker-test: $(STAMP)  ## build the image and run --help and the demo in it (needs a Docker daemon)
	SYNCER_TEST_DOCKER=1 $(BIN)/python -m pytest -q -m docker tests/ops/test_deploy.py

lint: $(STAMP)
	$(BIN)/ruff check syncer connectors tests bench
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python bench/score_bench.py

clean:
	rm -rf $(VENV) $(NODE_DIR) .demo .pytest_cache .mypy_cache .ruff_cache
