# Helpers for run-clients.sh and the suites in tests/clients/*.sh (sourced, not run).
# Each check runs one real client command, logs its output under $RUN_DIR and records PASS or FAIL.

RESULTS=()          # "STATUS|suite|name|note"
UNEXPECTED=0        # failures that were not declared as known
SUITE="${SUITE:-}"

# Debian's clients run on Debian's python; a pyenv `python3` on PATH cannot import them (NOTES.md §8).
export PYTHONNOUSERSITE=1
unset PYTHONPATH PYTHONHOME
OPENSTACK=/usr/bin/openstack
CINDER=/usr/bin/cinder

record() { RESULTS+=("$1|$SUITE|$2|${3:-}"); }

# check NAME [--expect TEXT]... -- COMMAND...: runs COMMAND (stdout left in $OUT); it passes when COMMAND
# exits 0 and its output contains every TEXT. A failure makes the whole run fail.
check() {
  local name=$1 expected=() missing=""; shift
  while [ "$1" = "--expect" ]; do expected+=("$2"); shift 2; done
  [ "$1" = "--" ] && shift
  _run "$name" "$@"
  for text in "${expected[@]}"; do grep -qF -- "$text" <<<"$OUT" || missing="output lacks '$text'"; done
  if [ "$RC" -eq 0 ] && [ -z "$missing" ]; then record PASS "$name"; echo "  PASS  $name"; return 0; fi
  record FAIL "$name" "${missing:-exit $RC: $(tail -n 1 "$LOG")}"
  UNEXPECTED=$((UNEXPECTED + 1)); echo "  FAIL  $name (see $LOG)"; return 1
}

# known_failure NAME REASON -- COMMAND...: a command expected to fail for REASON; reported, not fatal.
known_failure() {
  local name=$1 reason=$2; shift 2; [ "$1" = "--" ] && shift
  _run "$name" "$@"
  if [ "$RC" -eq 0 ]; then record PASS "$name" "passed although expected to fail: $reason"; echo "  PASS  $name (expected to fail: $reason)"
  else record KNOWN "$name" "$reason"; echo "  KNOWN $name: $reason"; fi
  return 0
}

_run() {
  local name=$1; shift
  LOG="$RUN_DIR/$(printf '%02d' "${#RESULTS[@]}")-${SUITE}-${name//[^A-Za-z0-9_.-]/_}.log"
  { echo "\$ $*"; } >"$LOG"
  OUT=$(timeout 120 "$@" 2>>"$LOG"); RC=$?
  printf '%s\n' "$OUT" >>"$LOG"
}

# wait_for DESCRIPTION COMMAND...: polls COMMAND (every 0.2 s, 30 s at most) until it succeeds.
wait_for() {
  local what=$1; shift
  for _ in $(seq 1 150); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  echo "  timed out waiting for $what"; return 1
}

# install_packages PKG...: apt-get installs the missing ones (root only).
install_packages() {
  local missing=() p
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ]; then echo "missing packages ${missing[*]}: run as root or install them"; return 1; fi
  echo "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >"$RUN_DIR/apt.log" 2>&1 ||
    { apt-get update -q >>"$RUN_DIR/apt.log" 2>&1 &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >>"$RUN_DIR/apt.log" 2>&1; }
}

summary() {
  local pass=0 known=0 fail=0 line status
  echo; echo "Client results (logs in $RUN_DIR):"
  printf '%-6s %-9s %-42s %s\n' STATUS SUITE COMMAND NOTE
  for line in "${RESULTS[@]}"; do
    IFS='|' read -r status s name note <<<"$line"
    printf '%-6s %-9s %-42s %s\n' "$status" "$s" "$name" "$note"
    case $status in PASS) pass=$((pass + 1)) ;; KNOWN) known=$((known + 1)) ;; *) fail=$((fail + 1)) ;; esac
  done
  echo "$pass passed, $known known failures, $fail unexpected failures"
}
