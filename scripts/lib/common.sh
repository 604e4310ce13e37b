# Shared by the scripts in scripts/: where things are and how to build them.
# Source it; it defines functions and variables only.

CHAT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

is_root() { [ "$(id -u)" -eq 0 ]; }

# Runs a command as a service account when we are root (PostgreSQL refuses to
# run as root; mosquitto drops to its own user), as ourselves otherwise.
as_service_user() {
  local user="$1"; shift
  if is_root; then runuser -u "$user" -- "$@"; else "$@"; fi
}

service_user() {   # service_user postgres|mosquitto
  if is_root; then echo "$1"; else id -un; fi
}

# configure_and_build <build-dir> [extra cmake args...]
configure_and_build() {
  local dir="$1"; shift
  local generator=()
  command -v ninja >/dev/null && generator=(-G Ninja)
  if [ ! -f "$dir/CMakeCache.txt" ]; then
    cmake -S "$CHAT_ROOT" -B "$dir" "${generator[@]}" "$@" >/dev/null
  else
    cmake "$dir" "$@" >/dev/null
  fi
  cmake --build "$dir" --parallel "$(nproc)"
}

free_port() {   # a TCP port on 127.0.0.1 that nobody listens on right now
  local port
  for _ in $(seq 1 50); do
    port=$(shuf -i 20000-60000 -n 1)
    port_open 127.0.0.1 "$port" || { echo "$port"; return 0; }
  done
  return 1
}

port_open() {   # port_open HOST PORT
  (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

wait_for_port() {   # wait_for_port HOST PORT SECONDS
  local deadline=$((SECONDS + $3))
  while ! port_open "$1" "$2"; do
    [ $SECONDS -ge $deadline ] && return 1
    sleep 0.1
  done
}
