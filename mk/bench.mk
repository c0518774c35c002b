# Benchmarks (docs/performance.md): cold start, warm per-request cost, scaling, bundle sizes.
BENCH_RUNS ?= 25
BENCH_SCALE ?= 1

.PHONY: bench
bench: build ## Benchmark cold start, per-request cost, scaling and bundle sizes (BENCH_RUNS=25): .bench/results.md
	BENCH_RUNS=$(BENCH_RUNS) BENCH_SCALE=$(BENCH_SCALE) node bench/run.mjs
