#!/usr/bin/env bash
# Benchmark skillaudit against the read-only floor, the parse floor and semgrep (see docs/performance.md).
#
# usage: scripts/bench.sh [--no-build] [--quick] [--rounds N] CORPUS_DIR...
#
#   --no-build  use the existing target/release/skillaudit instead of running `cargo build --release`
#   --quick     2 rounds, no semgrep
#   --rounds N  timed rounds after the warm-up round (default 5)
#
# Needs hyperfine and /usr/bin/time (apt-get install -y hyperfine time), python3, and the parse floor built
# from bench/parse-floor. The corpus recipe is in bench/README.md. Environment variables
# are described in scripts/bench.py. Results: $OUT/summary.md and $OUT/bench.json (OUT=/tmp/skillaudit-bench).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=1
ARGS=()
for arg in "$@"; do
  case "$arg" in
    --no-build) BUILD=0 ;;
    -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    *) ARGS+=("$arg") ;;
  esac
done
if [ "$BUILD" = 1 ]; then
  (cd "$ROOT" && cargo build --release --locked)
fi
exec python3 "$ROOT/scripts/bench.py" "${ARGS[@]}"
