# Benchmarks (docs/performance.md): cold start, warm per-request cost, scaling, bundle sizes.
BENCH_RUNS ?= 25
BENCH_SCALE ?= 1
# BENCH_BASELINE=path/webhook.mjs (another build, its chunks/ beside it): its cold starts run in the same rounds.
BENCH_BASELINE ?=
# Signed 1 MiB XML and JSON at 256, 512 and 1,024 MB's CPU shares (cgroup v1 quota, needs root): fresh
# processes per case, each answering one cold request and BENCH_CPU_WARM warm ones.
BENCH_CPU_RUNS ?= 3
BENCH_CPU_WARM ?= 3

# BENCH_NODE=path/to/node: the Node the cold starts (and their node -e 0 floor) run under; BENCH_NODE=22 fetches
# Node 22, Lambda's runtime, with npx (cached after the first run) and uses its binary, so npx costs no run time.
BENCH_NODE ?=
BENCH_NODE_BIN = $(if $(filter 22,$(BENCH_NODE)),$(shell npx --yes --package=node@22 -- node -p process.execPath),$(BENCH_NODE))

.PHONY: bench
##@ Performance
bench: build ## Benchmark cold start, per-request cost, scaling and bundle sizes (BENCH_RUNS=25): .bench/results.md
	BENCH_RUNS=$(BENCH_RUNS) BENCH_SCALE=$(BENCH_SCALE) BENCH_CPU_RUNS=$(BENCH_CPU_RUNS) BENCH_CPU_WARM=$(BENCH_CPU_WARM) \
	  $(if $(BENCH_BASELINE),BENCH_BASELINE=$(BENCH_BASELINE)) $(if $(BENCH_NODE),BENCH_NODE=$(BENCH_NODE_BIN)) node bench/run.mjs

.PHONY: bench-ledger
bench-ledger: build ## The delivery ledger's cost per webhook, warm, against moto's server (needs moto_server)
	PATH="$$HOME/.pyenv/shims:$$PATH" node bench/ledger-cost.mjs

.PHONY: bench-cpu
bench-cpu: build ## Only the signed 1 MiB XML and JSON bodies at 256/512/1,024 MB's CPU shares (cgroup quota, root)
	BENCH_CPU_RUNS=$(BENCH_CPU_RUNS) BENCH_CPU_WARM=$(BENCH_CPU_WARM) $(if $(BENCH_BASELINE),BENCH_BASELINE=$(BENCH_BASELINE)) node bench/cpu-share.mjs
