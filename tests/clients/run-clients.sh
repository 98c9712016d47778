#!/usr/bin/env bash
# Real OpenStack clients that nobody here wrote (Debian's openstackclient, cinderclient, ...) against a freshly
# started simulator. Not part of `npm test`: it may apt-get install the clients (needs root the first time).
#
#   npm run test:clients                # every suite
#   npm run test:clients -- cinder      # some suites
#
# Each suite is tests/clients/<suite>.sh: it adds its Debian packages to CLIENT_PACKAGES and defines
# suite_<suite>, which runs `check` / `known_failure` lines (lib.sh). Add a suite to SUITES below.
# Exit status: 0 when every check passed (known failures allowed), 1 otherwise.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SUITES=(keystone cinder manila nova)
[ $# -gt 0 ] && SUITES=("$@")

RUN_DIR=$(mktemp -d "${TMPDIR:-/tmp}/sim-clients.XXXXXX")
# shellcheck source=lib.sh
source "$HERE/lib.sh"
CLIENT_PACKAGES=()
for suite in "${SUITES[@]}"; do
  # shellcheck disable=SC1090
  source "$HERE/$suite.sh" || { echo "no suite $suite"; exit 1; }
done
install_packages "${CLIENT_PACKAGES[@]}" || { echo "cannot install ${CLIENT_PACKAGES[*]} (see $RUN_DIR/apt.log)"; exit 1; }

# The simulator, on a free port, with short transitions.
printf 'transitions:\n  default: 20\n' >"$RUN_DIR/sim.yaml"
(cd "$ROOT" && exec node -r ts-node/register/transpile-only simulator/cli.ts --port 0 --config "$RUN_DIR/sim.yaml") \
  >"$RUN_DIR/simulator.out" 2>&1 &
SIM_PID=$!
trap 'kill "$SIM_PID" 2>/dev/null; wait "$SIM_PID" 2>/dev/null' EXIT
wait_for "the simulator" grep -q "Press Ctrl-C" "$RUN_DIR/simulator.out" || { cat "$RUN_DIR/simulator.out"; exit 1; }
SIM_URL=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$RUN_DIR/simulator.out" | head -n 1)
sed -n '/^clouds:/,/^$/p' "$RUN_DIR/simulator.out" >"$RUN_DIR/clouds.yaml"
export OS_CLIENT_CONFIG_FILE="$RUN_DIR/clouds.yaml" OS_CLOUD=simulator
START=$SECONDS
echo "simulator at $SIM_URL; clients: $($OPENSTACK --version 2>&1), cinder $($CINDER --version 2>&1)"

# Credentials for clients that read OS_* rather than clouds.yaml (cinder's own CLI): prefix a command with it.
ADMIN_ENV=(env -u OS_CLOUD OS_AUTH_URL="$SIM_URL/identity/v3" OS_USERNAME=admin OS_PASSWORD=sim-admin-password
  OS_PROJECT_NAME=admin OS_USER_DOMAIN_NAME=Default OS_PROJECT_DOMAIN_NAME=Default OS_REGION_NAME=RegionOne)

for suite in "${SUITES[@]}"; do
  SUITE=$suite
  echo "[$suite]"
  "suite_$suite"
done

summary | tee "$RUN_DIR/summary.txt"
echo "clients ran for $((SECONDS - START)) s"
[ "$UNEXPECTED" -eq 0 ]
