# Run it locally with one command, a developer CLI and the integration suite.
# Included by the root Makefile (-include mk/*.mk). Every variable below can be overridden:
#   make run PORT=9001 · make send PAYLOAD=packages/lambda/templates/bursar.json · make challenge CHALLENGE=abc
.PHONY: run sign send challenge replay executions test-integration local-cli

PORT ?= 9000
URL ?= http://127.0.0.1:$(PORT)/
PAYLOAD ?= packages/lambda/templates/pod.json
PAYLOADS ?= packages/lambda/templates
CHALLENGE ?= challenge-accepted
ALMA_CLI := node packages/lambda/dist/src/cli/main.js

# tsc -b only (incremental, about a second): the CLI needs no Lambda bundle.
local-cli: install
	@$(PNPM) exec tsc -b

run: build ## Start the local server on 127.0.0.1:9000 (PORT=...) with dev defaults and a local Step Functions; Ctrl-C stops
	PORT=$(PORT) $(ALMA_CLI) serve

sign: local-cli ## Print the X-Exl-Signature of PAYLOAD (default the POD template) for ALMA_CHALLENGE_SECRET
	@$(ALMA_CLI) sign $(PAYLOAD)

send: local-cli ## POST PAYLOAD signed to URL (default the local server): make send PAYLOAD=packages/lambda/templates/pod.json
	@$(ALMA_CLI) send --url $(URL) $(PAYLOAD)

challenge: local-cli ## GET URL?challenge=CHALLENGE and print the answer
	@$(ALMA_CLI) send --url $(URL) --challenge $(CHALLENGE)

replay: local-cli ## POST every *.json of PAYLOADS (default the templates), signed, in name order
	@$(ALMA_CLI) replay --url $(URL) $(PAYLOADS)

executions: local-cli ## List the executions the local Step Functions endpoint started (.local/executions.jsonl)
	@$(ALMA_CLI) executions

test-integration: local-cli ## Integration suite: the local server (default), or the deployed dev stage (WORKSPACE=dev + AWS credentials)
	cd packages/lambda && AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true $(PNPM) exec mocha --no-config \
	  --reporter spec --timeout 60000 'dist/test/integration/**/*.integration.js'
