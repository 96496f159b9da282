#!/usr/bin/env bash
# Installs and configures what building and running Trailscope's image in the tests needs, and skips what is
# already there: Debian's podman (with runc and the cgroupfs manager, which work without systemd), mmdebstrap,
# and a local Debian bookworm base image made with mmdebstrap (Docker Hub is not reachable from CI).
# Needs root (apt, /etc/containers). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'setup-container: %s\n' "$*" >&2; }

# The runtime base the tests build on; container/test passes it as RUNTIME_IMAGE.
base_image=${TRAILSCOPE_BASE_IMAGE:-localhost/debian:bookworm-slim}

if [ "$(id -u)" != 0 ]; then
  say "podman is set up as root here (apt, /etc/containers); run as root"
  exit 1
fi

if ! command -v podman >/dev/null || ! command -v runc >/dev/null || ! command -v mmdebstrap >/dev/null; then
  say "installing Debian's podman, runc and mmdebstrap"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman runc mmdebstrap >/dev/null
fi

# Without systemd: cgroupfs instead of the systemd cgroup manager, runc, and no default ulimits (the sandbox
# refuses raising them). A drop-in, so an existing containers.conf is left as it is.
conf=/etc/containers/containers.conf.d/50-trailscope.conf
if [ ! -f "$conf" ]; then
  say "configuring podman in $conf"
  mkdir -p "$(dirname "$conf")"
  cat > "$conf" <<'CONF'
[containers]
default_ulimits = []

[engine]
cgroup_manager = "cgroupfs"
runtime = "runc"
CONF
fi

if ! podman image exists "$base_image"; then
  say "making the base image $base_image with mmdebstrap (about a minute)"
  tar=$(mktemp --suffix=.tar)
  trap 'rm -f "$tar"' EXIT
  # Essential packages and CA roots only (the AWS SDK verifies TLS against them), merged /usr without the
  # usrmerge package (which pulls perl), no documentation: a slim base like Docker Hub's bookworm-slim.
  mmdebstrap --quiet --variant=essential --include=ca-certificates \
    --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/info/*' \
    --dpkgopt='path-exclude=/usr/lib/x86_64-linux-gnu/gconv/*' \
    bookworm "$tar" >/dev/null
  podman import --quiet "$tar" "$base_image" >/dev/null
fi
