# Shared by start.sh, stop.sh and test.sh (sourced, not run). Everything a run creates lives in $RUN.
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
RUN=${REAL_OPENSTACK_RUN_DIR:-$HERE/run}
ETC=$RUN/etc
LOGS=$RUN/logs
PIDS=$RUN/pids
PGBIN=/usr/lib/postgresql/15/bin
# Dumps of freshly migrated databases, per service and package version (see start.sh, schema): machine-wide,
# so that a new run dir or another checkout restores them in seconds. Bump the format when the way start.sh
# migrates changes.
SCHEMA_CACHE=${REAL_OPENSTACK_SCHEMA_CACHE:-/var/cache/pulumi-openstack-storage/real-openstack-schemas}
SCHEMA_CACHE_FORMAT=1
# noauth deployments take the project from the token; Manila insists on [0-9a-f-]+ and Nova talks to
# Cinder as this one project, so every caller uses it.
PROJECT=0123456789abcdef0123456789abcdef

# The ports of the current run (written by start.sh), if there is one.
# shellcheck disable=SC1091
[ -f "$RUN/ports.env" ] && . "$RUN/ports.env"

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# True when a start.sh run finished and all of its processes are still alive.
is_running() {
  [ -f "$RUN/ready" ] || return 1
  local f
  for f in "$PIDS"/*.pid; do pid_alive "$f" || return 1; done
}
