# Two commands do everything on a fresh machine: `make run` and `make test` (see README.md).
SHELL := /bin/bash
export PATH := $(CURDIR)/end2end/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
# Where `make run` keeps its store and demo archive.
export TRAILSCOPE_DATA_DIR ?= $(CURDIR)/data
# cargo-leptos sets this for its builds and leptos reads it at compile time: the same value for `cargo test`
# lets both share one build of the app crate.
export LEPTOS_OUTPUT_NAME := trailscope

.PHONY: run test setup build lint unit e2e container bench

## Build and serve the demo on http://127.0.0.1:3000
run: setup
	@echo "Open http://127.0.0.1:3000 and log in as admin: the first start prints its password once;"
	@echo "later, set a new one with: target/release/trailscope --data-dir data user passwd admin"
	bash scripts/run

## Every test: formatting, lints, unit and integration tests, browser tests
test: setup lint unit build e2e container

setup:
	@bash scripts/setup.sh

build:
	bash scripts/build

lint:
	cargo fmt --all -- --check
	cargo clippy --release -p trailscope-alloc -p app -p trailscope --all-targets -- -D warnings
	cargo clippy --release -p frontend --target wasm32-unknown-unknown -- -D warnings

unit:
	cargo test --release -p trailscope-alloc -p app -p trailscope --lib --tests

e2e: build
	bash end2end/run.sh

## The container image, built from `build`'s artefacts and run with podman (Dockerfile, container/test)
container: build
	bash scripts/setup-container.sh
	bash container/test

bench: setup
	bash bench/ingest
	bash bench/sync
