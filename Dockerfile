# Trailscope's container image. Two ways to fill it, one runtime:
#   podman build -t trailscope .                  build from source (stage `build`), the default
#   podman build --target prebuilt -t trailscope CONTEXT
#                                                 take the artefacts of `make build` from CONTEXT (the test does
#                                                 this: container/context prepares it, so CI compiles once)
# Base images are arguments, so a deployment can pin digests:
#   --build-arg RUST_IMAGE=docker.io/library/rust@sha256:…  --build-arg RUNTIME_IMAGE=docker.io/library/debian@sha256:…
ARG RUST_IMAGE=docker.io/library/rust:1.95-slim-bookworm
ARG RUNTIME_IMAGE=docker.io/library/debian:bookworm-slim

# ---- build: the toolchain, cargo-leptos and wasm-bindgen at the versions scripts/setup.sh pins ----
FROM ${RUST_IMAGE} AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends binutils ca-certificates git nodejs npm pkg-config \
 && rm -rf /var/lib/apt/lists/*
# cargo-leptos builds with nightly (its dependencies ask for a newer rustc than the project's own), as setup.sh does.
RUN rustup toolchain install nightly --profile minimal
WORKDIR /src
COPY . .
# `setup.sh build` installs only what compiling needs (no browser, no test tools).
RUN bash scripts/setup.sh build \
 && PATH="/src/end2end/node_modules/.bin:$PATH" LEPTOS_OUTPUT_NAME=trailscope cargo leptos build --release \
 && mkdir -p /out \
 && objcopy --strip-all target/release/trailscope /out/trailscope \
 && cp -r target/site /out/site \
 && bash scripts/precompress-site /out/site

# ---- runtime-base: everything but the artefacts ----
FROM ${RUNTIME_IMAGE} AS runtime-base
ARG VERSION=dev
LABEL org.opencontainers.image.title="Trailscope" \
      org.opencontainers.image.description="Self-hosted dashboard for AWS CloudTrail" \
      org.opencontainers.image.source="https://github.com/trailscope/trailscope" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="Apache-2.0"
# The AWS SDK verifies TLS against the system's roots; slim bases may lack them.
RUN if [ ! -e /etc/ssl/certs/ca-certificates.crt ]; then \
      apt-get update && apt-get install -y --no-install-recommends ca-certificates \
      && rm -rf /var/lib/apt/lists/*; \
    fi \
 && echo 'trailscope:x:10001:10001:Trailscope:/data:/usr/sbin/nologin' >> /etc/passwd \
 && echo 'trailscope:x:10001:' >> /etc/group \
 && mkdir -p /data && chown 10001:10001 /data
# Configuration is TRAILSCOPE_* environment only (README.md, "Configuration"); these are the image's defaults.
ENV TRAILSCOPE_DATA_DIR=/data \
    TRAILSCOPE_ADDR=0.0.0.0:3000 \
    LEPTOS_SITE_ROOT=/app/site \
    LEPTOS_ENV=PROD \
    HOME=/data
# No MALLOC_ARENA_MAX: every allocation of the process, SQLite's included, goes to mimalloc (allocator/, set in server/src/main.rs),
# not to glibc's per-thread arenas.
WORKDIR /data
VOLUME /data
EXPOSE 3000
USER 10001:10001
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 CMD ["trailscope", "healthcheck"]
ENTRYPOINT ["trailscope"]
CMD ["serve"]

# ---- prebuilt: the artefacts `make build` produced, from a context made by container/context ----
FROM runtime-base AS prebuilt
COPY --chown=0:0 trailscope /usr/local/bin/trailscope
COPY --chown=0:0 site /app/site

# ---- runtime (default): the artefacts of the build stage ----
FROM runtime-base AS runtime
COPY --from=build --chown=0:0 /out/trailscope /usr/local/bin/trailscope
COPY --from=build --chown=0:0 /out/site /app/site
