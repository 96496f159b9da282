#!/usr/bin/env bash
# Installs what building, serving and testing Trailscope need, and skips what is already there:
# the wasm32 target, wasm-bindgen-cli at the version in Cargo.lock, cargo-leptos, Debian's chromium, and the
# npm packages of end2end/ (Playwright, and binaryen's wasm-opt for release builds), moto and the AWS CLI for the
# integration tests. `setup.sh build` installs only what compiling needs (the Dockerfile's build stage uses it). Safe to run
# again.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

say() { printf 'setup: %s\n' "$*" >&2; }
missing() { ! command -v "$1" >/dev/null 2>&1; }

# cargo-leptos' dependencies need a newer rustc than the project's stable toolchain; use nightly when present.
installer=(cargo)
if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then installer=(cargo +nightly); fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# The wasm-bindgen CLI must be exactly the version of the wasm-bindgen crate in Cargo.lock.
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }' || true)
if [ "$have" != "$want" ]; then
  say "installing wasm-bindgen-cli $want (found: ${have:-none}); this takes several minutes"
  "${installer[@]}" install wasm-bindgen-cli --version "$want" --force
fi

# One pinned cargo-leptos for every machine and the image's build stage.
cargo_leptos_version=0.3.11
if [ "$(cargo leptos --version 2>/dev/null | awk '{ print $2 }')" != "$cargo_leptos_version" ]; then
  say "installing cargo-leptos $cargo_leptos_version; this takes about 15 minutes on 2 cores"
  "${installer[@]}" install cargo-leptos --version "$cargo_leptos_version" --locked --force
fi

# npm ci only when the lock file is newer than the installed tree.
if [ ! -f end2end/node_modules/.package-lock.json ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
  say "installing end2end npm packages"
  (cd end2end && npm ci --no-audit --no-fund)
fi

if [ "${1:-}" = build ]; then exit 0; fi

# Every crate in Cargo.lock, for every platform (a build downloads only this one's): the IAM policy test reads the
# dependency graph with `cargo metadata --offline`. A no-op when they are all there.
cargo fetch --locked --quiet

if [ ! -x /usr/bin/chromium ]; then
  say "installing Debian's chromium"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

# moto (PyPI) serves the AWS APIs the integration tests call with the real SDK; its own venv, since Debian's
# Python is externally managed. 5.2.5: StartLogging/StopLogging accept ARNs there (5.2.1 does not).
if [ ! -x .tools/moto/bin/moto_server ]; then
  say "installing moto 5.2.5 into .tools/moto"
  python3 -m venv .tools/moto
  .tools/moto/bin/pip install --quiet --disable-pip-version-check 'moto[server]==5.2.5'
fi

# The AWS CLI (PyPI's awscli, its own venv) is the reference the integrity tests compare `trailscope validate`
# with: `aws cloudtrail validate-logs`. 1.46: backfill digests, the [start, end + 2 h] key window and trailing
# data after a log's gzip stream are all checked there.
if [ ! -x .tools/awscli/bin/aws ]; then
  say "installing awscli 1.46.2 into .tools/awscli"
  python3 -m venv .tools/awscli
  .tools/awscli/bin/pip install --quiet --disable-pip-version-check 'awscli==1.46.2'
fi
