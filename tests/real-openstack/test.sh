#!/bin/bash
# npm run test:openstack: installs what is missing (root + apt), starts the real services unless they are
# already running, runs the mocha suite under tests/real-openstack/, and stops what this run started, also
# when the suite fails or the run is interrupted. Extra arguments go to mocha.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$HERE/../.."

"$HERE/install.sh"
if is_running; then
  echo "test.sh: services already running (started elsewhere); leaving them running"
else
  trap '"$HERE/stop.sh"' EXIT
  trap 'exit 130' INT TERM
  "$HERE/start.sh"
fi
npx mocha --config "$HERE/.mocharc.json" "$@"
