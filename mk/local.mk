# Run it locally with one command, a developer CLI and the integration suite.
# Included by the root Makefile (-include mk/*.mk). Every variable below can be overridden:
#   make run PORT=9001 · make send SAMPLE=BURSAR · make send PAYLOAD=my-payload.json · make challenge CHALLENGE=abc
.PHONY: run sign send challenge replay samples executions test-integration local-cli docs-config check-config-table

PORT ?= 9000
URL ?= http://127.0.0.1:$(PORT)/
# A payload file to sign or send; when empty, the plugin sample SAMPLE (NAME or NAME:N, e.g. TIMDEX:2).
PAYLOAD ?=
SAMPLE ?= PPOD
# A folder of *.json payloads to replay; when empty, every plugin's sample payloads.
PAYLOADS ?=
SAMPLES_DIR ?= .local/samples
CHALLENGE ?= challenge-accepted
ALMA_CLI := node packages/dev/bin/alma-webhook.js
PAYLOAD_ARGS = $(if $(PAYLOAD),$(PAYLOAD),--sample $(SAMPLE))

# The CLI needs no Lambda bundle: compiling (tsc -b, incremental, about a second) is enough.
local-cli: compile

run: compile ## Start the local server on 127.0.0.1:9000 (PORT=...) with dev defaults and a local Step Functions; Ctrl-C stops
	PORT=$(PORT) $(ALMA_CLI) serve

sign: local-cli ## Print the X-Exl-Signature of PAYLOAD (default: the sample SAMPLE=PPOD) for ALMA_CHALLENGE_SECRET
	@$(ALMA_CLI) sign $(PAYLOAD_ARGS)

send: local-cli ## POST PAYLOAD (default: the sample SAMPLE=PPOD) signed to URL: make send SAMPLE=TIMDEX:2, make send PAYLOAD=x.json
	@$(ALMA_CLI) send --url $(URL) $(PAYLOAD_ARGS)

challenge: local-cli ## GET URL?challenge=CHALLENGE and print the answer
	@$(ALMA_CLI) send --url $(URL) --challenge $(CHALLENGE)

replay: local-cli ## POST every plugin's sample payloads (or every *.json of PAYLOADS=DIR), signed, one line each
	@$(ALMA_CLI) replay --url $(URL) $(PAYLOADS)

samples: local-cli ## Write every plugin's sample payloads into SAMPLES_DIR (default .local/samples) to edit and replay
	@$(ALMA_CLI) samples $(SAMPLES_DIR)

executions: local-cli ## List the executions the local Step Functions endpoint started (.local/executions.jsonl)
	@$(ALMA_CLI) executions

test-integration: local-cli ## Integration suite: the local server (default), or the deployed dev stage (WORKSPACE=dev + AWS credentials)
	cd packages/dev && AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true $(PNPM) exec mocha --no-config \
	  --reporter spec --timeout 60000 'dist/test/integration/**/*.integration.js'

docs-config: local-cli ## Regenerate the README's configuration table from the plugin list and the shell's variables
	node scripts/config-table.mjs

check-config-table: local-cli ## Fail when the README's configuration table is not what docs-config would write
	node scripts/config-table.mjs --check
