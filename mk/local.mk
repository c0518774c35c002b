# Run it locally with one command, a developer CLI and the integration suite.
# Included by the root Makefile (-include mk/*.mk). Every variable below can be overridden:
#   make run PORT=9001 · make send SAMPLE=BURSAR · make send PAYLOAD=my-payload.json · make challenge CHALLENGE=abc
.PHONY: run sign send challenge replay samples executions deliveries resend clear rotate-secret test-integration \
	local-cli docs-config check-config-table

PORT ?= 9000
URL ?= http://127.0.0.1:$(PORT)/
# A payload file to sign or send; when empty, the plugin sample SAMPLE (NAME or NAME:N, e.g. TIMDEX:2).
PAYLOAD ?=
SAMPLE ?= PPOD
# The id of a journalled webhook to resend (make deliveries lists them), and the new secret of rotate-secret.
ID ?=
SECRET ?=
# A folder of *.json payloads to replay; when empty, every plugin's sample payloads.
PAYLOADS ?=
SAMPLES_DIR ?= .local/samples
CHALLENGE ?= challenge-accepted
ALMA_CLI := node packages/dev/bin/alma-webhook.js
PAYLOAD_ARGS = $(if $(PAYLOAD),$(PAYLOAD),--sample $(SAMPLE))

# The CLI needs no Lambda bundle: compiling (tsc -b, incremental, about a second) is enough.
local-cli: compile

##@ Run it locally
run: compile ## Start the local server on 127.0.0.1:9000 (PORT=...) with dev defaults and a local Step Functions; Ctrl-C stops
	@PORT=$(PORT) $(ALMA_CLI) serve

sign: local-cli ## Print the X-Exl-Signature of PAYLOAD (default: the sample SAMPLE=PPOD) for ALMA_CHALLENGE_SECRET
	@$(ALMA_CLI) sign $(PAYLOAD_ARGS)

send: local-cli ## POST PAYLOAD (default: the sample SAMPLE=PPOD) signed to URL: make send SAMPLE=TIMDEX:2, make send PAYLOAD=x.json
	@$(ALMA_CLI) send --url $(URL) $(PAYLOAD_ARGS)

challenge: local-cli ## GET URL?challenge=CHALLENGE and print the answer
	@$(ALMA_CLI) send --url $(URL) --challenge $(CHALLENGE)

replay: local-cli ## POST every plugin's sample payloads (or every *.json of PAYLOADS=DIR), signed, one line each
	@$(ALMA_CLI) replay --url $(URL) $(PAYLOADS)

samples: local-cli ## Write every plugin's sample payloads and one per kind (loan.json, bib.json, ...) into SAMPLES_DIR (default .local/samples) to edit and replay
	@$(ALMA_CLI) samples $(SAMPLES_DIR)

executions: local-cli ## List the executions the local Step Functions endpoint started (.local/executions.jsonl)
	@$(ALMA_CLI) executions

deliveries: local-cli ## List every webhook the local server received, 401s and 4xx included (.local/webhooks.jsonl)
	@$(ALMA_CLI) deliveries

resend: local-cli ## Send a received webhook again, signed with the current secret: make resend ID=1a2b3c4d
	@test -n "$(ID)" || { echo "Usage: make resend ID=<id from make deliveries>"; exit 2; }
	@$(ALMA_CLI) resend --url $(URL) $(ID)

clear: local-cli ## Empty the local journals (webhooks received and executions started)
	@$(ALMA_CLI) clear

rotate-secret: local-cli ## Stored-secret mode: the local endpoint now holds SECRET: make rotate-secret SECRET=new-secret
	@test -n "$(SECRET)" || { echo "Usage: make rotate-secret SECRET=<the new secret>"; exit 2; }
	@$(ALMA_CLI) rotate-secret "$(SECRET)"

##@ Set up, build and test

test-integration: local-cli ## Integration suite: the local server (default), or the deployed dev stage (WORKSPACE=dev + AWS credentials)
	cd packages/dev && AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true $(PNPM) exec mocha --no-config \
	  --reporter spec --timeout 60000 'dist/test/integration/**/*.integration.js'

##@ Plugins, packages and docs
docs-config: local-cli ## Regenerate docs/configuration.md's configuration table from the plugin list and the shell's variables
	node scripts/config-table.mjs

check-config-table: local-cli ## Fail when the configuration table is not what docs-config would write (part of make lint)
	@node scripts/config-table.mjs --check

check-links: ## Fail on a relative link or #anchor of a Markdown file that points nowhere (part of make lint)
	@node scripts/check-links.mjs
