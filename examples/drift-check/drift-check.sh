#!/usr/bin/env bash
# A pipeline's drift check of a Pulumi stack that uses pulumi-openstack-storage. Two checks, both always run:
#
#  1. `pulumi-openstack-storage drift` over `pulumi stack export`: reads every resource of this package live,
#     read-only (it refuses any request but GET), without the Pulumi engine and without the stack's secrets,
#     and names each difference (recorded -> live), with a JUnit report for the CI's test view.
#  2. `pulumi preview --refresh --expect-no-changes`: Pulumi's own check, over every resource of the stack
#     (this package's too, through its provider) and the program: fails when anything would change.
#
# Usage: drift-check.sh <stack> [reports-dir]     (reports-dir default: drift-reports)
# Exit:  0 in sync; 1 the drift command failed (could not read a resource, bad export, credentials);
#        2 drift in this package's resources; 3 `pulumi preview` found changes or failed.
# Environment: OpenStack credentials for the drift command (OS_CLOUD + clouds.yaml, or OS_*), or
#   DRIFT_ARGS="--config ci-openstack.yaml" (openstack:* keys without secrets in a file);
#   DRIFT_COMMAND (default: npx --no-install pulumi-openstack-storage); PREVIEW=0 skips check 2.
set -uo pipefail

stack="${1:?usage: drift-check.sh <stack> [reports-dir]}"
reports="${2:-drift-reports}"
drift_command="${DRIFT_COMMAND:-npx --no-install pulumi-openstack-storage}"
mkdir -p "$reports"

pulumi stack export --stack "$stack" --file "$reports/export.json" || exit 1

# shellcheck disable=SC2086 # DRIFT_COMMAND and DRIFT_ARGS are word lists
$drift_command drift "$reports/export.json" --junit "$reports/drift.xml" ${DRIFT_ARGS:-}
drift=$?

preview=0
if [ "${PREVIEW:-1}" != "0" ]; then
  pulumi preview --stack "$stack" --refresh --expect-no-changes --diff --non-interactive || preview=$?
fi

if [ "$drift" -ne 0 ]; then
  exit "$drift"
elif [ "$preview" -ne 0 ]; then
  echo "pulumi preview --refresh found changes (or failed): exit $preview" >&2
  exit 3
fi
echo "stack $stack: in sync"
