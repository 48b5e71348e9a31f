#!/usr/bin/env bash
# Benchmark skillaudit against the parse floor (and, optionally, semgrep).
#
# usage: scripts/bench.sh [--quick] [--no-build] CORPUS_DIR...
#
#   --quick     fewer runs (RUNS defaults to 2 instead of 5) and no semgrep
#   --no-build  do not run `cargo build --release`; use the existing binary
#
# Corpus: see ../shared/bench/README.md (e.g. the 12 checkouts under /tmp/corpus/*/;
# the quick corpus is the three /tmp/corpus/modelcontextprotocol__* dirs).
#
# Environment:
#   RUNS=N            hyperfine --runs (default 5, or 2 with --quick); --warmup is always 1
#   OUT=DIR           output directory (default /tmp/skillaudit-bench)
#   PARSE_FLOOR=PATH  parse-floor binary (default /tmp/parse-floor-target/release/parse-floor)
#   SEMGREP=PATH      semgrep (default: `semgrep` on PATH, else /tmp/sg/bin/semgrep; skipped if absent)
#   SEMGREP_RULES=F   default <repo>/../shared/bench/semgrep-rules.yml
#   SKIP_SEMGREP=1    skip semgrep (implied by --quick)
#   SKIP_LINEARITY=1  skip the linearity section
#   SKILLAUDIT=PATH   skillaudit binary to use (default <target-dir>/release/skillaudit)
#   SKILLAUDIT_ARGS   extra args for every skillaudit command, e.g. "--include-tests" so that
#                     skillaudit parses the same file set as parse-floor (by default it skips tests
#                     and files > 2 MiB, parse-floor does not)
#
# What it does, in order:
#   1. builds skillaudit (cargo build --release, unless --no-build) and copies the binary to
#      $OUT/bin/ so that a concurrent rebuild cannot change it mid-benchmark;
#   2. preflight + peak RSS: runs parse-floor, skillaudit and skillaudit --no-prefilter once each
#      under /usr/bin/time -v ("Maximum resident set size"); this also checks exit codes and
#      records file counts (parse-floor stdout, skillaudit JSON summary) in $OUT;
#   3. ONE hyperfine invocation (--warmup 1 --runs N, exports bench.md / bench.json) with:
#        parse-floor --read-only DIRS, parse-floor DIRS,
#        skillaudit scan [--no-prefilter] [-j 1|-j 2] --format json -o /dev/null DIRS
#      skillaudit exits 1 when it has findings: its commands accept exit codes 0 and 1 only
#      (`; test $? -le 1`), so real errors (2, 3) still abort. NB: hyperfine runs each command's
#      runs as one block (it does not interleave commands), so keep the machine quiet;
#   4. semgrep, 1 run under /usr/bin/time -v (wall time + RSS), unless --quick / SKIP_SEMGREP=1;
#   5. linearity: the DIRS are sorted by parseable file count (parse-floor --list), ascending, and
#      accumulated until the subset holds >= 25%, >= 50% and 100% of the parseable files; the
#      distinct subsets are timed with skillaudit (default and --no-prefilter) in one hyperfine
#      invocation (linearity.md / linearity.json). With few dirs the steps are coarse: the table
#      shows each subset's actual files and MB and the throughput, which is what to compare;
#   6. prints a summary (also written to $OUT/summary.md).
#
# Run on a quiet machine; everything uses all cores unless -j says otherwise.
set -euo pipefail

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; }

QUICK=0
BUILD=1
DIRS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --no-build) BUILD=0 ;;
    -h|--help) usage; exit 0 ;;
    --) shift; DIRS+=("$@"); break ;;
    -*) echo "bench.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
    *) DIRS+=("$1") ;;
  esac
  shift
done
if [ ${#DIRS[@]} -eq 0 ]; then
  echo "bench.sh: no CORPUS_DIR given" >&2; usage >&2; exit 2
fi
for d in "${DIRS[@]}"; do
  [ -d "$d" ] || { echo "bench.sh: not a directory: $d" >&2; exit 2; }
done

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SHARED=$(cd "$ROOT/.." && pwd)/shared/bench
if [ "$QUICK" = 1 ]; then RUNS=${RUNS:-2}; SKIP_SEMGREP=1; else RUNS=${RUNS:-5}; fi
SKIP_SEMGREP=${SKIP_SEMGREP:-0}
SKIP_LINEARITY=${SKIP_LINEARITY:-0}
OUT=${OUT:-/tmp/skillaudit-bench}
SEMGREP_RULES=${SEMGREP_RULES:-$SHARED/semgrep-rules.yml}
read -r -a EXTRA <<< "${SKILLAUDIT_ARGS:-}"

for tool in hyperfine python3; do
  command -v "$tool" >/dev/null || { echo "bench.sh: $tool not found (apt-get install -y $tool)" >&2; exit 2; }
done
[ -x /usr/bin/time ] || { echo "bench.sh: /usr/bin/time not found (apt-get install -y time)" >&2; exit 2; }

# --- parse-floor ---------------------------------------------------------------------------
PARSE_FLOOR=${PARSE_FLOOR:-/tmp/parse-floor-target/release/parse-floor}
if [ ! -x "$PARSE_FLOOR" ]; then
  echo "bench.sh: parse-floor not found at $PARSE_FLOOR; build it with:" >&2
  echo "  cargo build --release --manifest-path $SHARED/parse-floor/Cargo.toml --target-dir /tmp/parse-floor-target" >&2
  exit 2
fi

# --- semgrep (optional) ---------------------------------------------------------------------
if [ "$SKIP_SEMGREP" != 1 ]; then
  if [ -z "${SEMGREP:-}" ]; then
    if command -v semgrep >/dev/null; then SEMGREP=$(command -v semgrep)
    elif [ -x /tmp/sg/bin/semgrep ]; then SEMGREP=/tmp/sg/bin/semgrep
    fi
  fi
  if [ -z "${SEMGREP:-}" ] || [ ! -x "$SEMGREP" ]; then
    echo "bench.sh: semgrep not found (set SEMGREP=..., or: python3 -m venv /tmp/sg && /tmp/sg/bin/pip install semgrep); skipping semgrep" >&2
    SKIP_SEMGREP=1
  elif [ ! -f "$SEMGREP_RULES" ]; then
    echo "bench.sh: semgrep rules not found at $SEMGREP_RULES; skipping semgrep" >&2
    SKIP_SEMGREP=1
  fi
fi

# --- skillaudit -----------------------------------------------------------------------------
if [ "$BUILD" = 1 ]; then
  echo "== cargo build --release ($ROOT)" >&2
  (cd "$ROOT" && cargo build --release)
fi
SRC_BIN=${SKILLAUDIT:-${CARGO_TARGET_DIR:-$ROOT/target}/release/skillaudit}
[ -x "$SRC_BIN" ] || { echo "bench.sh: skillaudit binary not found at $SRC_BIN" >&2; exit 2; }
mkdir -p "$OUT/bin"
SA="$OUT/bin/skillaudit"
cp -f "$SRC_BIN" "$SA.tmp" && mv -f "$SA.tmp" "$SA"

REV=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(GIT_OPTIONAL_LOCKS=0 git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
  REV="$REV-dirty"
fi

q() { printf '%q ' "$@"; }           # shell-quote a command line for hyperfine (bash)
QDIRS=$(q "${DIRS[@]}")
QSA=$(q "$SA")
QPF=$(q "$PARSE_FLOOR")
QEXTRA=$( [ ${#EXTRA[@]} -gt 0 ] && q "${EXTRA[@]}" || true )
# skillaudit: exit 1 = findings, which is success here
sa_cmd() { echo "$QSA scan $QEXTRA$* --format json -o /dev/null $QDIRS; test \$? -le 1"; }

{
  echo "date=$(date -Is)"
  echo "host_cpus=$(nproc)"
  echo "load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "skillaudit=$("$SA" --version)"
  echo "rev=$REV"
  echo "skillaudit_bin=$SRC_BIN"
  echo "parse_floor=$PARSE_FLOOR"
  echo "hyperfine=$(hyperfine --version)"
  echo "runs=$RUNS quick=$QUICK skillaudit_args=${SKILLAUDIT_ARGS:-}"
  echo "dirs=${DIRS[*]}"
} > "$OUT/env.txt"
cat "$OUT/env.txt" >&2

# --- 1. preflight + peak RSS ----------------------------------------------------------------
echo "== preflight + peak RSS (/usr/bin/time -v)" >&2
rss_run() { # NAME CMD... ; stdout -> $OUT/NAME.out, time -v -> $OUT/NAME.time
  local name=$1; shift
  local rc=0
  /usr/bin/time -v -o "$OUT/$name.time" "$@" > "$OUT/$name.out" 2> "$OUT/$name.err" || rc=$?
  echo "$rc" > "$OUT/$name.rc"
  echo "   $name: exit $rc, $(grep -h 'Maximum resident' "$OUT/$name.time" | awk '{print $NF}') KB max RSS" >&2
}
rss_run rss-parse-floor "$PARSE_FLOOR" "${DIRS[@]}"
rss_run rss-skillaudit "$SA" scan "${EXTRA[@]}" --format json -o "$OUT/skillaudit.json" "${DIRS[@]}"
rss_run rss-skillaudit-no-prefilter "$SA" scan "${EXTRA[@]}" --no-prefilter --format json -o "$OUT/skillaudit-no-prefilter.json" "${DIRS[@]}"
for n in rss-parse-floor; do
  [ "$(cat "$OUT/$n.rc")" -eq 0 ] || { echo "bench.sh: $n failed:" >&2; cat "$OUT/$n.err" >&2; exit 1; }
done
for n in rss-skillaudit rss-skillaudit-no-prefilter; do
  [ "$(cat "$OUT/$n.rc")" -le 1 ] || { echo "bench.sh: $n failed:" >&2; cat "$OUT/$n.err" >&2; exit 1; }
done

# --- 2. main hyperfine ----------------------------------------------------------------------
echo "== hyperfine (warmup 1, runs $RUNS)" >&2
hyperfine --shell=bash --warmup 1 --runs "$RUNS" --style basic \
  --export-markdown "$OUT/bench.md" --export-json "$OUT/bench.json" \
  -n "parse-floor --read-only" "$QPF --read-only $QDIRS" \
  -n "parse-floor" "$QPF $QDIRS" \
  -n "skillaudit" "$(sa_cmd)" \
  -n "skillaudit --no-prefilter" "$(sa_cmd --no-prefilter)" \
  -n "skillaudit --no-prefilter -j 1" "$(sa_cmd --no-prefilter -j 1)" \
  -n "skillaudit --no-prefilter -j 2" "$(sa_cmd --no-prefilter -j 2)" >&2

# --- 3. semgrep -----------------------------------------------------------------------------
rm -f "$OUT/semgrep.time" "$OUT/semgrep.rc"
if [ "$SKIP_SEMGREP" != 1 ]; then
  echo "== semgrep (1 run; slow) $("$SEMGREP" --version --metrics=off --disable-version-check 2>/dev/null)" >&2
  rss_run semgrep "$SEMGREP" scan --config "$SEMGREP_RULES" --metrics=off --disable-version-check -j 2 \
    --x-ignore-semgrepignore-files --exclude '*.pyi' -q -o /dev/null "${DIRS[@]}"
  "$SEMGREP" --version --metrics=off --disable-version-check > "$OUT/semgrep.version" 2>/dev/null || true
else
  echo "== semgrep skipped" >&2
fi

# --- 4. linearity ---------------------------------------------------------------------------
rm -f "$OUT/linearity.json" "$OUT/linearity.md" "$OUT/linearity-sets.json"
if [ "$SKIP_LINEARITY" != 1 ]; then
  echo "== linearity (subsets by cumulative parseable file count)" >&2
  for d in "${DIRS[@]}"; do
    "$PARSE_FLOOR" --list "$d" | awk -F'\t' -v d="$d" '{n++; b+=$1} END{printf "%d\t%d\t%s\n", n, b, d}'
  done > "$OUT/linearity-dirs.tsv"
  python3 - "$OUT/linearity-dirs.tsv" "$OUT/linearity-sets.json" <<'PY'
import json, sys
rows = []
for line in open(sys.argv[1]):
    n, b, d = line.rstrip("\n").split("\t", 2)
    rows.append((int(n), int(b), d))
rows.sort(key=lambda r: (r[0], r[2]))
total = sum(r[0] for r in rows) or 1
sets, seen = [], set()
for frac in (0.25, 0.5, 1.0):
    acc, k = 0, 0
    while k < len(rows) and (acc < frac * total or k == 0):
        acc += rows[k][0]; k += 1
    if frac == 1.0:
        k = len(rows)
    if k in seen:
        continue
    seen.add(k)
    sub = rows[:k]
    sets.append({"target": frac, "dirs": [r[2] for r in sub],
                 "files": sum(r[0] for r in sub), "bytes": sum(r[1] for r in sub)})
for s in sets:
    s["share"] = s["files"] / total
json.dump(sets, open(sys.argv[2], "w"), indent=1)
PY
  args=()
  nsets=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$OUT/linearity-sets.json")
  for ((i = 0; i < nsets; i++)); do
    mapfile -t sub < <(python3 -c 'import json,sys; print("\n".join(json.load(open(sys.argv[1]))[int(sys.argv[2])]["dirs"]))' "$OUT/linearity-sets.json" "$i")
    qsub=$(q "${sub[@]}")
    pct=$(python3 -c 'import json,sys; print(round(100*json.load(open(sys.argv[1]))[int(sys.argv[2])]["share"]))' "$OUT/linearity-sets.json" "$i")
    args+=(-n "skillaudit @${pct}% [$i]" "$QSA scan $QEXTRA--format json -o /dev/null $qsub; test \$? -le 1")
    args+=(-n "skillaudit --no-prefilter @${pct}% [$i]" "$QSA scan $QEXTRA--no-prefilter --format json -o /dev/null $qsub; test \$? -le 1")
  done
  hyperfine --shell=bash --warmup 1 --runs "$RUNS" --style basic \
    --export-markdown "$OUT/linearity.md" --export-json "$OUT/linearity.json" "${args[@]}" >&2
fi

# --- 5. summary -----------------------------------------------------------------------------
python3 - "$OUT" <<'PY' | tee "$OUT/summary.md"
import json, os, re, sys
out = sys.argv[1]
def load(p):
    p = os.path.join(out, p)
    return json.load(open(p)) if os.path.exists(p) else None
def rss_mb(name):
    p = os.path.join(out, name + ".time")
    if not os.path.exists(p):
        return None
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", open(p).read())
    return int(m.group(1)) / 1024 if m else None
def wall_s(name):
    p = os.path.join(out, name + ".time")
    if not os.path.exists(p):
        return None
    m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", open(p).read())
    if not m:
        return None
    s = 0.0
    for part in m.group(1).split(":"):
        s = s * 60 + float(part)
    return s

env = dict(l.rstrip("\n").split("=", 1) for l in open(os.path.join(out, "env.txt")) if "=" in l)
pf = open(os.path.join(out, "rss-parse-floor.out")).read()
m = re.search(r"mode=parse files=(\d+) bytes=(\d+)", pf)
pf_files, pf_bytes = (int(m.group(1)), int(m.group(2))) if m else (0, 0)
sa = (load("skillaudit.json") or {}).get("summary", {})

bench = {r["command"]: r for r in load("bench.json")["results"]}
mean = lambda k: bench[k]["mean"] if k in bench else float("nan")

print(f"# skillaudit benchmark ({env.get('skillaudit','?')}, rev {env.get('rev','?')})")
print()
print(f"{env.get('date','')}; {env.get('host_cpus','?')} CPUs; load at start {env.get('load_at_start','?')}; runs={env.get('runs','')}")
print(f"corpus: {len(env.get('dirs','').split())} dirs; parse-floor: {pf_files} files, {pf_bytes/1e6:.1f} MB; "
      f"skillaudit: {sa.get('files_scanned','?')} scanned, {sa.get('files_skipped','?')} skipped, "
      f"{sa.get('files_errored','?')} errored, {sa.get('findings','?')} findings")
if sa.get("files_scanned") not in (None, pf_files):
    print(f"note: skillaudit scanned {sa.get('files_scanned')} of parse-floor's {pf_files} files (it skips tests and "
          f"files > 2 MiB by default); SKILLAUDIT_ARGS=--include-tests for a like-for-like floor ratio")
print()
print("| command | mean s | ± s | min s | max RSS MB |")
print("|---|---:|---:|---:|---:|")
rss_of = {"parse-floor": rss_mb("rss-parse-floor"), "skillaudit": rss_mb("rss-skillaudit"),
          "skillaudit --no-prefilter": rss_mb("rss-skillaudit-no-prefilter")}
for k, r in bench.items():
    rss = rss_of.get(k)
    print(f"| {k} | {r['mean']:.3f} | {r['stddev'] or 0:.3f} | {r['min']:.3f} | {'' if rss is None else f'{rss:.1f}'} |")
sg_wall, sg_rss = wall_s("semgrep"), rss_mb("semgrep")
if sg_wall is not None:
    rc = open(os.path.join(out, "semgrep.rc")).read().strip()
    print(f"| semgrep (1 run, exit {rc}) | {sg_wall:.2f} | | | {'' if sg_rss is None else f'{sg_rss:.1f}'} |")
print()
print("| ratio | value |")
print("|---|---:|")
print(f"| skillaudit / parse-floor --read-only | {mean('skillaudit') / mean('parse-floor --read-only'):.2f} |")
print(f"| skillaudit --no-prefilter / parse-floor | {mean('skillaudit --no-prefilter') / mean('parse-floor'):.2f} |")
print(f"| skillaudit / parse-floor | {mean('skillaudit') / mean('parse-floor'):.2f} |")
print(f"| speedup -j 2 vs -j 1 (no-prefilter) | {mean('skillaudit --no-prefilter -j 1') / mean('skillaudit --no-prefilter -j 2'):.2f} |")
if sg_wall is not None:
    print(f"| semgrep / skillaudit | {sg_wall / mean('skillaudit'):.1f} |")

lin = load("linearity.json")
sets = load("linearity-sets.json")
if lin and sets:
    res = {r["command"]: r["mean"] for r in lin["results"]}
    print()
    print("linearity (dirs sorted by parseable file count, accumulated to >=25/50/100%):")
    print()
    print("(files / MB = parse-floor's count for the subset; MB/s = those MB / mean time)")
    print()
    print("| subset | dirs | files | MB | skillaudit s | MB/s | --no-prefilter s | MB/s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for i, s in enumerate(sets):
        pct = round(100 * s["share"])
        a = res.get(f"skillaudit @{pct}% [{i}]"); b = res.get(f"skillaudit --no-prefilter @{pct}% [{i}]")
        mb = s["bytes"] / 1e6
        print(f"| {pct}% | {len(s['dirs'])} | {s['files']} | {mb:.1f} | {a:.3f} | {mb/a:.1f} | {b:.3f} | {mb/b:.1f} |")
print()
print(f"files: {out}/bench.md bench.json linearity.md linearity.json *.time env.txt summary.md")
PY
