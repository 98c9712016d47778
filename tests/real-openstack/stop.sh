#!/bin/bash
# Stops everything start.sh started, also after a partial or failed start: each daemon by the process
# group recorded in run/pids, then RabbitMQ's private epmd. Safe to run twice. Keeps the data (run/pgdata,
# run/rabbitmq) so the next start skips initdb; delete run/ for a clean slate.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
[ -d "$PIDS" ] || { echo "stop.sh: nothing to stop"; exit 0; }
rm -f "$RUN/ready"

term_groups() { # signal pidfile...
  local sig=$1 f
  shift
  for f in "$@"; do [ -f "$f" ] && kill "-$sig" -- "-$(cat "$f")" 2>/dev/null; done
}
wait_gone() { # seconds pidfile...
  local deadline=$((SECONDS + $1)) f alive
  shift
  while :; do
    alive=()
    for f in "$@"; do pid_alive "$f" && alive+=("$f"); done
    [ ${#alive[@]} -eq 0 ] && return 0
    [ $SECONDS -ge $deadline ] && { printf '%s\n' "${alive[@]}"; return 1; }
    sleep 0.2
  done
}

# TERM (postgres: INT, its "fast" shutdown) to each process group, KILL what is left after a grace period:
# cinder-scheduler sometimes ignores TERM while its rabbit connection goes away.
stop_all() { # pidfile...
  [ $# -eq 0 ] && return 0
  local f stuck
  for f in "$@"; do
    if [ "$(basename "$f")" = postgres.pid ]; then kill -INT "$(cat "$f")" 2>/dev/null; else term_groups TERM "$f"; fi
  done
  if ! stuck=$(wait_gone 20 "$@"); then
    for f in $stuck; do echo "stop.sh: $(basename "$f" .pid) ignored the signal, sending KILL"; done
    # shellcheck disable=SC2086
    term_groups KILL $stuck
    wait_gone 5 $stuck >/dev/null
  fi
  rm -f "$@"
}

# OpenStack services first (they talk to rabbit and postgres while shutting down), then the infrastructure.
services=() infra=()
for f in "$PIDS"/*.pid; do
  [ -f "$f" ] || continue
  case $(basename "$f") in postgres.pid | rabbitmq.pid) infra+=("$f") ;; *) services+=("$f") ;; esac
done
stop_all "${services[@]}"
stop_all "${infra[@]}"
# epmd daemonizes itself out of rabbit's process group; it is ours because it runs on our private port.
if [ -n "${EPMD_PORT:-}" ]; then ERL_EPMD_PORT=$EPMD_PORT epmd -kill >/dev/null 2>&1; fi
echo "stop.sh: stopped"
