# Benchmarks (docs/performance.md): cold start, warm per-request cost, scaling, bundle sizes.
BENCH_RUNS ?= 25
BENCH_SCALE ?= 1
# BENCH_BASELINE=path/webhook.mjs (another build, its chunks/ beside it): its cold starts run in the same rounds.
BENCH_BASELINE ?=

.PHONY: bench
##@ Performance
bench: build ## Benchmark cold start, per-request cost, scaling and bundle sizes (BENCH_RUNS=25): .bench/results.md
	BENCH_RUNS=$(BENCH_RUNS) BENCH_SCALE=$(BENCH_SCALE) $(if $(BENCH_BASELINE),BENCH_BASELINE=$(BENCH_BASELINE)) node bench/run.mjs

.PHONY: bench-ledger
bench-ledger: build ## The delivery ledger's cost per webhook, warm, against moto's server (needs moto_server)
	PATH="$$HOME/.pyenv/shims:$$PATH" node bench/ledger-cost.mjs
