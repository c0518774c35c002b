# Deploy from zero: the AWS CDK app in infra/ (its own package.json and pnpm-lock.yaml, outside the pnpm
# workspace). Included by the root Makefile (-include mk/*.mk). Nothing here runs for make install, test or
# run: infra's dependencies are installed only by these targets.
.PHONY: infra-install infra-compile infra-synth test-infra infra-bootstrap infra-diff-dev deploy-dev deploy-stage \
	plan deploy diff destroy infra-stage

INFRA := infra
INFRA_STAMP := $(INFRA)/node_modules/.install-stamp
INFRA_TSC := $(INFRA)/node_modules/.bin/tsc
# The CDK CLI is fetched by npx for the targets that talk to AWS only, so CI never installs it.
CDK_CLI ?= aws-cdk@2
CDK = cd $(INFRA) && ALMA_STAGE=$(STAGE) npx --yes $(CDK_CLI)
CDK_APP := --app "node dist/src/app.js"
# The deploy targets never make up a value: every setting comes from the stage file infra/stages/$(STAGE).env,
# which a variable set in the shell overrides (or -c NAME=value).
CDK_DEPLOY_FLAGS ?= --require-approval broadening
# The stage to plan, deploy, diff or destroy: infra/stages/$(STAGE).env. No default: a deployment names it.
STAGE ?=
# The app and the plan read the stage from ALMA_STAGE (the same name inside the CDK app, the plan and the tests).
PLAN := cd $(INFRA) && ALMA_STAGE=$(STAGE) node dist/src/plan-cli.js

$(INFRA_STAMP): $(INFRA)/package.json $(INFRA)/pnpm-lock.yaml
	@if ! command -v pnpm >/dev/null 2>&1 || [ "$$(pnpm --version)" != "$(PNPM_VERSION)" ]; then \
	  echo "Installing pnpm $(PNPM_VERSION) with npm"; npm install --global --no-fund --no-audit pnpm@$(PNPM_VERSION); fi
	cd $(INFRA) && $(PNPM) install --ignore-workspace --frozen-lockfile
	@touch $@

##@ Deploy with CDK (infra/)
infra-install: $(INFRA_STAMP) ## Install infra/'s dependencies (aws-cdk-lib, constructs) from infra/pnpm-lock.yaml
	@:

infra-compile: infra-install
	$(INFRA_TSC) -p $(INFRA)

infra-synth: build infra-compile ## Synthesise the stack into infra/cdk.out and list its resources (STAGE=dev: from its stage file; no AWS needed)
	cd $(INFRA) && rm -rf cdk.out && $(if $(STAGE),ALMA_STAGE=$(STAGE) ,)node dist/src/app.js && node dist/src/summary.js cdk.out

# The tests read the plugin list and the dispatch budget from the tsc output (tsc -b, incremental) and need a
# bundle to hash: an existing one is enough, so CI does not bundle twice after make test.
test-infra: install infra-compile ## Assertion tests of the synthesised CloudFormation template (infra/test)
	$(PNPM) exec tsc -b
	@test -s $(LAMBDA_ZIP) || $(MAKE) --no-print-directory build
	cd $(INFRA) && node_modules/.bin/mocha

# cdk bootstrap needs the environment named when there is no cdk.json: the credentials' account, in
# AWS_REGION (us-east-1 unless set; the region of the stages you deploy).
infra-bootstrap: infra-compile ## Prepare an AWS account and region (AWS_REGION, default us-east-1) for CDK deployments (once; needs AWS credentials)
	@account=$$(aws sts get-caller-identity --region $(AWS_REGION) --query Account --output text) || { echo "infra-bootstrap: no AWS account: the AWS CLI could not say whose credentials these are (above)" >&2; exit 1; }; \
	  echo "cdk bootstrap aws://$$account/$(AWS_REGION)"; \
	  cd $(INFRA) && npx --yes $(CDK_CLI) bootstrap "aws://$$account/$(AWS_REGION)"

# A stage is named on the command line; a target that needs one and has none stops here, before any work.
infra-stage:
	@if [ -z "$(STAGE)" ]; then echo "Name a stage: make $(MAKECMDGOALS) STAGE=<stage> (stages: $$(ls $(INFRA)/stages | sed -n 's/\.env$$//p' | tr '\n' ' '))" >&2; exit 2; fi

# The plan needs the function's configuration loader and plugin list (tsc output), not the bundle.
plan: infra-stage compile infra-compile ## What STAGE runs: plugins, routes, secret (exists?), table, buckets, alarms, memory, release, URL (make plan STAGE=dev)
	$(PLAN)

# The plan comes first, before the bundle is built: a stage refused is refused within seconds.
deploy: infra-stage compile infra-compile ## Print the plan, then cdk deploy STAGE (refused without credentials, or without its secret): make deploy STAGE=dev
	$(PLAN) --deploy
	@$(MAKE) --no-print-directory build
	$(CDK) deploy $(CDK_APP) $(CDK_DEPLOY_FLAGS)

diff: infra-stage build infra-compile ## The CloudFormation changes make deploy STAGE=… would make (cdk diff; needs AWS credentials)
	$(CDK) diff $(CDK_APP)

destroy: infra-stage build infra-compile ## Delete STAGE's stack (cdk destroy, asks first); the ledger and buckets of stage and prod survive (docs/deployment.md)
	$(CDK) destroy $(CDK_APP)

infra-diff-dev: ## Alias of make diff STAGE=dev
	@$(MAKE) --no-print-directory diff STAGE=dev

deploy-dev: ## Alias of make deploy STAGE=dev
	@$(MAKE) --no-print-directory deploy STAGE=dev

deploy-stage: ## Alias of make deploy STAGE=stage
	@$(MAKE) --no-print-directory deploy STAGE=stage
