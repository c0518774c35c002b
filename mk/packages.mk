# Publishing, API docs and plugin scaffolding. Included by the root Makefile (-include mk/*.mk).
.PHONY: check-packages check-types check-scaffold docs check-doc-examples new-plugin

PUBLISHED_PACKAGES := packages/core packages/aws $(sort $(wildcard packages/plugin-*))

##@ Plugins, packages and docs
check-types: install ## Compile the plugin-contract type tests (packages/core/test-types; never run)
	$(PNPM) exec tsc -p packages/core/test-types

check-packages: install check-types ## Pack core and the plugins as pnpm publish would; check tarballs, publint, attw
	$(PNPM) exec tsc -b $(PUBLISHED_PACKAGES)
	node scripts/check-packages.mjs

docs: install ## API documentation with TypeDoc into docs/api (any warning fails)
	$(PNPM) exec tsc -b $(PUBLISHED_PACKAGES)
	rm -rf docs/api
	$(PNPM) exec typedoc

check-doc-examples: docs ## Fail on an export of core without a TSDoc @example, or a core README example that does not compile
	node scripts/check-doc-examples.mjs docs/api/api.json @alma-webhooks/core
	node scripts/check-readme-examples.mjs

new-plugin: ## Scaffold packages/plugin-NAME, route to it and regenerate the config table: make new-plugin NAME=alma-analytics
	@test -n "$(NAME)" || { echo "Usage: make new-plugin NAME=<name> (lowercase words joined by -, e.g. analytics or alma-analytics)"; exit 2; }
	node scripts/new-plugin.mjs "$(NAME)"

check-scaffold: install ## In a scratch copy of the working tree, scaffold plugin-example and run its tests
	bash scripts/check-scaffold.sh

.PHONY: check-reuse
check-reuse: install ## Fresh npm projects with the packed core alone: TS 5.9 and 7 reject name and field typos, ajv strict compiles each schema
	$(PNPM) exec tsc -b packages/core
	node scripts/check-reuse.mjs
