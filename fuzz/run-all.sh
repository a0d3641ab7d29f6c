#!/usr/bin/env bash
# Runs every fuzz target (or the TARGETs named) for SECONDS (default 600) each, one after the
# other, and prints each one's last status line (executions, coverage). Exits non-zero if any
# target found a crash.   Usage: ./run-all.sh [SECONDS [TARGET…]]
set -uo pipefail
cd "$(dirname "$0")"
seconds="${1:-600}"
shift || true
targets="${*:-$(cargo +nightly fuzz list)}"
failed=0
for target in $targets; do
  mkdir -p "corpus/$target"
  log="$(mktemp)"
  if cargo +nightly fuzz run -O "$target" "corpus/$target" -- -max_total_time="$seconds" -rss_limit_mb=4096 >"$log" 2>&1; then
    echo "$target: $(grep -E '^#[0-9]+' "$log" | tail -1)"
  else
    echo "$target: FAILED"; tail -40 "$log"; failed=1
  fi
  rm -f "$log"
done
exit "$failed"
