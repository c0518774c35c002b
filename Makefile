# alma-webhooks: every task a developer or CI needs. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Deployment (container image and zip): override any of these on the command line or in the environment.
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
PACKAGE_FILES := package.json pnpm-lock.yaml pnpm-workspace.yaml $(wildcard packages/*/package.json)

.PHONY: help install update build test lint coverage clean fuzz audit \
	dist-dev publish-dev update-lambda-dev update-lambda-zip-dev \
	dist-stage publish-stage update-lambda-stage update-lambda-zip-stage

help: ## List the targets with what they do
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z0-9_-]+:.*## / {printf "  \033[36m%-24s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

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

build: install ## Compile every package and bundle the Lambda (dist/webhook.mjs, dist/ping.mjs, dist/lambda.zip)
	$(PNPM) exec tsc -b
	$(PNPM) --filter @alma-webhooks/lambda run bundle

test: build ## Run every package's mocha suite with coverage floors (the bundle is tested too)
	$(PNPM) --recursive --sequential --reporter-hide-prefix run test

lint: install ## Type-check and lint (Biome, zero warnings)
	$(PNPM) exec tsc -b
	$(PNPM) exec biome check --error-on-warnings .

coverage: build ## Coverage reports (text and lcov) for every package, in packages/*/coverage
	$(PNPM) --recursive --sequential exec c8 --reporter text --reporter lcov mocha

FUZZ_SECONDS ?= 60
fuzz: build ## Property-test the whole handler for FUZZ_SECONDS seconds (default 60): make fuzz FUZZ_SECONDS=600
	cd packages/lambda && FUZZ_SECONDS=$(FUZZ_SECONDS) $(PNPM) exec mocha --no-config --timeout 0 dist/test/reliability/handler-properties.spec.js

audit: install ## Audit dependencies for high and critical advisories (scripts/audit.sh says when the service is unreachable)
	bash scripts/audit.sh

clean: ## Remove build output and coverage
	rm -rf packages/*/dist packages/*/coverage packages/*/tsconfig.tsbuildinfo

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
