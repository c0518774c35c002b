# alma-webhooks: every task a developer or CI needs. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Deployment (container image and zip): override any of these on the command line or in the environment.
# The variables that call AWS or git are recursive (`=`, and `?=` defines recursive ones too): they are
# expanded only by the deployment recipes that use them, so `make help`, `make lint` or `make test` never
# run `aws sts get-caller-identity` (checked with a logging fake `aws` first on PATH).
AWS_REGION ?= us-east-1
AWS_ACCOUNT_DEV = $(shell aws sts get-caller-identity --query Account --output text)
AWS_ACCOUNT_STAGE = $(shell aws sts get-caller-identity --query Account --output text)
ECR_NAME_DEV ?= alma-webhook-lambdas-dev
ECR_NAME_STAGE ?= alma-webhook-lambdas-stage
ECR_URL_DEV ?= $(AWS_ACCOUNT_DEV).dkr.ecr.$(AWS_REGION).amazonaws.com/$(ECR_NAME_DEV)
ECR_URL_STAGE ?= $(AWS_ACCOUNT_STAGE).dkr.ecr.$(AWS_REGION).amazonaws.com/$(ECR_NAME_STAGE)
FUNCTION_DEV ?= alma-webhook-lambdas-dev
FUNCTION_STAGE ?= alma-webhook-lambdas-stage
LAMBDA_ZIP := packages/lambda/dist/lambda.zip
GIT_SHA = $(shell git describe --always)

PNPM_VERSION := 10.34.9
PNPM := pnpm
INSTALL_STAMP := node_modules/.install-stamp
PACKAGE_FILES := package.json pnpm-lock.yaml pnpm-workspace.yaml $(wildcard packages/*/package.json examples/*/package.json)

.PHONY: help install update compile bundle build test test-node22 lint schemas coverage clean fuzz audit \
	dist-dev publish-dev update-lambda-dev update-lambda-zip-dev \
	dist-stage publish-stage update-lambda-stage update-lambda-zip-stage

# `make help` prints the targets by section (each `##@ Section` line starts one), in this order.
HELP_ORDER := Run it locally|Set up, build and test|Plugins, packages and docs|Deploy with CDK (infra/)|Deploy a container image or zip|Performance

##@ Set up, build and test
help: ## List the targets with what they do, by purpose
	@awk -v order="$(HELP_ORDER)" 'BEGIN {FS = ":.*## "} \
	  /^##@ / {section = substr($$0, 5); next} \
	  /^[a-zA-Z0-9_-]+:.*## / {lines[section] = lines[section] sprintf("  \033[36m%-24s\033[0m %s\n", $$1, $$2)} \
	  END {n = split(order, names, "|"); for (i = 1; i <= n; i++) if (names[i] in lines) {printf "%s:\n%s\n", names[i], lines[names[i]]; delete lines[names[i]]} \
	    for (name in lines) printf "%s:\n%s\n", name, lines[name]}' $(MAKEFILE_LIST)

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

compile: install ## Compile every package with tsc -b (incremental): all that the local server and the CLI need
	@$(PNPM) exec tsc -b

bundle: compile ## Bundle the Lambda: dist/webhook.mjs, dist/ping.mjs and their chunks, dist/lambda.zip
	$(PNPM) --filter @alma-webhooks/lambda run bundle

build: compile bundle ## compile + bundle: everything a deployment or the bundle's tests need

test: build ## Run every package's mocha suite with coverage floors (the bundle is tested too, on this Node)
	$(PNPM) --recursive --sequential --reporter-hide-prefix run test

# A test that fails one run in N hides among green runs: every suite TEST_REPEAT times (default 3), in
# rounds, stopping at the first failure (pnpm --recursive stops at a failing package).
TEST_REPEAT ?= 3
.PHONY: test-repeat
test-repeat: build ## Run every package's suite TEST_REPEAT times (default 3), stopping at the first failure
	@for round in $$(seq 1 $(TEST_REPEAT)); do echo "test-repeat: round $$round of $(TEST_REPEAT)"; \
	  $(PNPM) --recursive --sequential --reporter-hide-prefix run test || exit 1; done

# Lambda runs nodejs22.x; this machine may have another Node. npx fetches node@22 from the npm registry
# (cached after the first run), which is why `make test` does not do it.
NODE22 := npx --yes --package=node@22 -- node
test-node22: build ## Run the bundle's checks (test/bundle.spec.ts) under Node 22, Lambda's runtime, fetched with npx
	cd packages/lambda && BUNDLE_NODE="$(NODE22)" AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true \
	  $(PNPM) exec mocha --no-config --reporter spec --timeout 180000 dist/test/bundle.spec.js

# The one definition of lint (package.json's "lint" script runs it): types, the plugin-contract type
# tests (check-types, mk/packages.mk), then Biome with zero warnings, the code generated from core's JSON
# Schemas up to date with them (make schemas), the configuration table and every relative link, and no merge
# conflict markers left in any tracked file (a formatter can turn them into table rows or quotes in Markdown).
lint: compile check-types check-config-table check-links ## Type-check, lint (Biome, zero warnings), generated code, configuration table and links
	$(PNPM) exec biome check --error-on-warnings .
	node packages/core/scripts/compile-schemas.mjs --check
	@if git grep -nE '^(<{7}|>{7}|={7})( |$$)|^(> ){7}|^\| ={7} ' -- . ':!pnpm-lock.yaml' ':!**/pnpm-lock.yaml'; then \
	  echo "lint: merge conflict markers left in the files above" >&2; exit 1; fi

# Core's JSON Schemas (packages/core/schemas) are compiled by ajv into committed *.generated.ts modules, so
# that nothing is compiled at a cold start; run this after changing a schema (make lint fails until then).
schemas: install ## Regenerate core's validators and types from its JSON Schemas (packages/core/schemas)
	node packages/core/scripts/compile-schemas.mjs

coverage: build ## Coverage reports (text and lcov) for every package, in packages/*/coverage
	$(PNPM) --recursive --sequential exec c8 --reporter text --reporter lcov mocha

FUZZ_SECONDS ?= 60
fuzz: build ## Property-test the whole handler for FUZZ_SECONDS seconds (default 60): make fuzz FUZZ_SECONDS=600
	cd packages/lambda && FUZZ_SECONDS=$(FUZZ_SECONDS) $(PNPM) exec mocha --no-config --timeout 0 dist/test/reliability/handler-properties.spec.js

audit: install ## Audit dependencies for high and critical advisories (scripts/audit.sh says when the service is unreachable)
	bash scripts/audit.sh

clean: ## Remove build output and coverage
	rm -rf packages/*/dist packages/*/coverage packages/*/tsconfig.tsbuildinfo examples/*/dist examples/*/coverage examples/*/tsconfig.tsbuildinfo

##@ Deploy a container image or zip
# Container image and zip deployment, as today's users know them. No Docker engine runs on the CI machines
# of this project: the dist-* and publish-* targets need one; the update-lambda-zip-* targets do not.
dist-dev: build ## Build the dev container image (needs a Docker engine)
	docker build --platform linux/amd64 -t $(ECR_URL_DEV):latest -t $(ECR_URL_DEV):$(GIT_SHA) -t $(ECR_NAME_DEV):latest .

publish-dev: dist-dev ## Build and push the dev container image to ECR
	aws ecr get-login-password --region $(AWS_REGION) | docker login --username AWS --password-stdin $(ECR_URL_DEV)
	docker push $(ECR_URL_DEV):latest
	docker push $(ECR_URL_DEV):$(GIT_SHA)

update-lambda-dev: ## Point the dev Lambda function at the latest pushed image
	aws lambda update-function-code --function-name $(FUNCTION_DEV) --image-uri $(ECR_URL_DEV):latest

update-lambda-zip-dev: build ## Upload dist/lambda.zip to the dev Lambda function (zip deployment, nodejs22.x)
	aws lambda update-function-code --function-name $(FUNCTION_DEV) --zip-file fileb://$(LAMBDA_ZIP)

dist-stage: build ## Build the stage container image (needs a Docker engine)
	docker build --platform linux/amd64 -t $(ECR_URL_STAGE):latest -t $(ECR_URL_STAGE):$(GIT_SHA) -t $(ECR_NAME_STAGE):latest .

publish-stage: dist-stage ## Build and push the stage container image to ECR
	aws ecr get-login-password --region $(AWS_REGION) | docker login --username AWS --password-stdin $(ECR_URL_STAGE)
	docker push $(ECR_URL_STAGE):latest
	docker push $(ECR_URL_STAGE):$(GIT_SHA)

update-lambda-stage: ## Point the stage Lambda function at the latest pushed image
	aws lambda update-function-code --function-name $(FUNCTION_STAGE) --image-uri $(ECR_URL_STAGE):latest

update-lambda-zip-stage: build ## Upload dist/lambda.zip to the stage Lambda function (zip deployment)
	aws lambda update-function-code --function-name $(FUNCTION_STAGE) --zip-file fileb://$(LAMBDA_ZIP)

-include mk/*.mk
