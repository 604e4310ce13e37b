#!/usr/bin/env bash
# Boost.Beast against libwebsockets for the gateway (README.md here): the same
# echo load against an echo server on each library, alternating, --rounds times.
#
#   gateway/experiments/compare.sh [BUILD_DIR] [ROUNDS]
#
# BUILD_DIR must be configured with -DCHAT_GATEWAY_EXPERIMENTS=ON (needs libwebsockets-dev).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/common.sh"
BUILD="${1:-$CHAT_ROOT/build/dev}"
ROUNDS="${2:-3}"
cmake --build "$BUILD" --target chat_lws_echo chat_beast_echo chat_echo_load >/dev/null
for round in $(seq 1 "$ROUNDS"); do
  for server in beast lws; do
    port="$(free_port)"
    "$BUILD/bin/chat-$server-echo" "$port" &
    pid=$!
    wait_for_port 127.0.0.1 "$port" 10 || die "chat-$server-echo did not start"
    for shape in "--bytes 200 --connections 4 --window 8" "--bytes 16384 --connections 4 --window 4"; do
      # shellcheck disable=SC2086
      printf '%s round %s %-40s %s\n' "$server" "$round" "$shape" \
        "$("$BUILD/bin/chat-echo-load" --port "$port" --server-pid "$pid" --duration 5 $shape)"
    done
    kill "$pid"; wait "$pid" 2>/dev/null || true
  done
done
