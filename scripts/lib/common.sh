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

# configure_and_build <preset> <build-dir> [extra cmake args...]
# Configures <build-dir> from a preset of CMakePresets.json the first time (the
# preset's own folder unless CHAT_BUILD_DIR and the like point elsewhere), then
# builds it. Extra arguments override the preset's cache variables.
configure_and_build() {
  local preset="$1" dir="$2"; shift 2
  if [ ! -f "$dir/CMakeCache.txt" ]; then
    cmake -S "$CHAT_ROOT" --preset "$preset" -B "$dir" "$@" >/dev/null
  elif [ $# -gt 0 ]; then
    cmake "$dir" "$@" >/dev/null
  fi
  cmake --build "$dir" --parallel "$(nproc)"
}

# free_port [TAKEN...]: a TCP port on 127.0.0.1 that nobody listens on right now and
# that is none of TAKEN (the ports already handed out for the same run). Drawn below
# the kernel's ephemeral range, so an outgoing connection cannot be holding it.
free_port() {
  local port low=32768 high
  read -r low _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || true
  high=$((low - 1))
  [ "$high" -gt 21000 ] || high=60000
  for _ in $(seq 1 100); do
    port=$(shuf -i "20000-$high" -n 1)
    case " $* " in *" $port "*) continue ;; esac
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
