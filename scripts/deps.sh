#!/usr/bin/env bash
# Installs the platform's build and run dependencies from Debian's packages.
# Idempotent and fast when everything is present: apt is only touched when a
# package is missing. Run as root (or with sudo available).
#
#   scripts/deps.sh          what the platform and its tests need
#   scripts/deps.sh --fuzz   that plus clang and libFuzzer (scripts/fuzz)
#   scripts/deps.sh --lint   that plus clang-format and clang-tidy (scripts/lint)
set -euo pipefail

PACKAGES=(
  # toolchain
  cmake g++ ninja-build pkg-config
  # broker and its plugin API
  mosquitto mosquitto-clients mosquitto-dev libmosquitto-dev
  # MQTT client library for the bridge, the load generator and the tests
  libpaho-mqttpp-dev libpaho-mqtt-dev libssl-dev
  # database
  postgresql libpq-dev
  # the auth plugin: sign-in tokens (JWT, HS256), fast edge validation of message JSON
  libjwt-dev rapidjson-dev
  # grapheme clusters (a reaction is one emoji): common/unicode
  libicu-dev
  # HTTP tools and JSON
  libcpp-httplib-dev nlohmann-json3-dev
  # the WebSocket gateway: Boost.Beast and Boost.Asio, header-only (docs/gateway.md)
  libboost-dev
  # tests (iproute2: `ss`, the broker-config test checks what the broker listens on)
  libgtest-dev iproute2
  # the gateway's tests: a stock MQTT-over-WebSocket client (Debian's python3 runs it)
  python3-paho-mqtt
  # the stack script: openssl for the loopback TLS certificate, procps for pgrep/ps
  openssl procps
  # the web app (web/: npm ci + esbuild) and its browser tests (headless chromium driven by
  # playwright-core from npm; a font so that screenshots show text)
  nodejs chromium fonts-dejavu-core
)
# Debian's npm package, unless node came with its own npm (e.g. a newer nodejs build).
command -v npm >/dev/null 2>&1 || PACKAGES+=(npm)

if [ "${1:-}" = "--fuzz" ]; then
  # libFuzzer and the sanitizer runtimes of clang live in libclang-rt-*-dev,
  # which clang only recommends; llvm-symbolizer (llvm) makes crash reports readable.
  PACKAGES+=(clang libclang-rt-dev llvm)
fi
if [ "${1:-}" = "--lint" ]; then
  PACKAGES+=(clang-format clang-tidy python3)
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "deps: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
# Debian's postgresql package creates and starts a system cluster on 5432;
# the platform runs its own cluster, so keep the packaged one from starting.
if [ ! -e /usr/sbin/policy-rc.d ] && [ "$(id -u)" -eq 0 ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
