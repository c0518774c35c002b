# alma-webhooks: every task a developer or CI needs. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PNPM_VERSION := 10.34.9
PNPM := pnpm
INSTALL_STAMP := node_modules/.install-stamp
PACKAGE_FILES := package.json pnpm-lock.yaml pnpm-workspace.yaml $(wildcard packages/*/package.json)

.PHONY: help install update build test lint coverage clean

help: ## List the targets with what they do
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z0-9_-]+:.*## / {printf "  \033[36m%-20s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(INSTALL_STAMP): $(PACKAGE_FILES)
	@if ! command -v pnpm >/dev/null 2>&1 || [ "$$(pnpm --version)" != "$(PNPM_VERSION)" ]; then \
	  echo "Installing pnpm $(PNPM_VERSION) with npm"; npm install --global --no-fund --no-audit pnpm@$(PNPM_VERSION); fi
	$(PNPM) install --frozen-lockfile
	@touch $@

install: $(INSTALL_STAMP) ## Install pnpm (when missing) and every dependency from the lockfile

update: ## Update dependencies within their ranges and refresh the lockfile
	@command -v pnpm >/dev/null 2>&1 || npm install --global pnpm@$(PNPM_VERSION)
	$(PNPM) update --recursive
	$(PNPM) install
	@touch $(INSTALL_STAMP)

build: install ## Compile every package with tsc (project references)
	$(PNPM) exec tsc -b

test: build ## Run every package's mocha suite with coverage floors
	$(PNPM) --recursive --sequential --reporter-hide-prefix run test

lint: install ## Type-check and lint (Biome, zero warnings)
	$(PNPM) exec tsc -b
	$(PNPM) exec biome check --error-on-warnings .

coverage: build ## Coverage reports (text and lcov) for every package, in packages/*/coverage
	$(PNPM) --recursive --sequential exec c8 --reporter text --reporter lcov mocha

clean: ## Remove build output and coverage
	rm -rf packages/*/dist packages/*/coverage packages/*/tsconfig.tsbuildinfo
