# Deploy from zero: the AWS CDK app in infra/ (its own package.json and pnpm-lock.yaml, outside the pnpm
# workspace). Included by the root Makefile (-include mk/*.mk). Nothing here runs for make install, test or
# run: infra's dependencies are installed only by these targets.
.PHONY: infra-install infra-compile infra-synth test-infra infra-bootstrap infra-diff-dev deploy-dev deploy-stage

INFRA := infra
INFRA_STAMP := $(INFRA)/node_modules/.install-stamp
INFRA_TSC := $(INFRA)/node_modules/.bin/tsc
# The CDK CLI is fetched by npx for the targets that talk to AWS only, so CI never installs it.
CDK_CLI ?= aws-cdk@2
CDK := cd $(INFRA) && npx --yes $(CDK_CLI)
CDK_APP := --app "node dist/src/app.js"
# The deploy targets never make up a value: every plugin setting comes from the environment (or -c NAME=value).
CDK_DEPLOY_FLAGS ?= --require-approval broadening

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

infra-synth: build infra-compile ## Build the bundle and synthesise the CDK stack into infra/cdk.out; list its resources
	cd $(INFRA) && rm -rf cdk.out && node dist/src/app.js && node dist/src/summary.js cdk.out

# The tests read the plugin list and the dispatch budget from the tsc output (tsc -b, incremental) and need a
# bundle to hash: an existing one is enough, so CI does not bundle twice after make test.
test-infra: install infra-compile ## Assertion tests of the synthesised CloudFormation template (infra/test)
	$(PNPM) exec tsc -b
	@test -s $(LAMBDA_ZIP) || $(MAKE) --no-print-directory build
	cd $(INFRA) && node_modules/.bin/mocha

infra-bootstrap: infra-compile ## Prepare an AWS account and region for CDK deployments (once; needs AWS credentials)
	$(CDK) bootstrap

infra-diff-dev: build infra-compile ## Show what deploy-dev would change (needs AWS credentials)
	$(CDK) diff $(CDK_APP) -c WORKSPACE=dev -c ALMA_INFRA_EXAMPLES=off

deploy-dev: build infra-compile ## Create or update the dev stack with cdk deploy (needs AWS credentials; see infra/README.md)
	$(CDK) deploy $(CDK_APP) -c WORKSPACE=dev -c ALMA_INFRA_EXAMPLES=off $(CDK_DEPLOY_FLAGS)

deploy-stage: build infra-compile ## Create or update the stage stack with cdk deploy (needs AWS credentials; see infra/README.md)
	$(CDK) deploy $(CDK_APP) -c WORKSPACE=stage -c ALMA_INFRA_EXAMPLES=off $(CDK_DEPLOY_FLAGS)
