#!/usr/bin/env bash
# Fuzzes skillaudit: builds the cargo-fuzz targets (nightly) and runs each for SECONDS on one core, seeded from
# fixtures/ (by extension) and the regression corpus, in a temporary corpus directory. Afterwards every crash,
# timeout or out-of-memory input is minimised and its path printed. See docs/fuzzing.md.
#
#   scripts/fuzz.sh SECONDS [TARGET...]     # targets: fuzz_js fuzz_ts fuzz_py fuzz_suppressions (default: all)
#
# Environment: FUZZ_WORK=DIR keeps corpora and artifacts in DIR instead of a new temporary directory (reuse it
# to continue from an earlier run's corpus); FUZZ_ARGS adds libFuzzer flags; FUZZ_COVERAGE=1 replays each final
# corpus once more and prints the edges it covers in each file of src/ (coverage.txt beside the corpus).
# Exit status: 0 when nothing was found, 1 when a target left an artifact, 2 on a setup error.
set -euo pipefail

usage() {
    sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
}
[[ $# -ge 1 && $1 =~ ^[0-9]+$ ]] || usage
seconds=$1
shift
all=(fuzz_js fuzz_ts fuzz_py fuzz_suppressions)
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=("${all[@]}")

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    echo "cargo-fuzz is missing: cargo install cargo-fuzz (and rustup toolchain install nightly)" >&2
    exit 2
fi
work=${FUZZ_WORK:-$(mktemp -d "${TMPDIR:-/tmp}/skillaudit-fuzz.XXXXXX")}
mkdir -p "$work"
# Release with debug assertions and overflow checks, AddressSanitizer (cargo-fuzz's default sanitizer).
build_flags=(-O -a)
# The grammar tables skillaudit leaks on purpose are not findings; every other leak is.
export LSAN_OPTIONS="suppressions=$root/fuzz/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

cd "$root/fuzz"
echo "== building the fuzz targets (nightly)"
cargo +nightly fuzz build "${build_flags[@]}"

extensions() {
    case $1 in
        fuzz_js) echo "js mjs cjs jsx" ;;
        fuzz_ts) echo "ts mts cts tsx" ;;
        fuzz_py) echo "py" ;;
        *) echo "" ;;
    esac
}

# fuzz_suppressions inputs: one byte for the placement (see Placement in tests/fuzz_harness), then the text.
suppression_seeds() {
    local dir=$1 i=0 body placement
    for body in ' skillaudit-ignore' ' skillaudit-ignore: oauth-without-pkce' \
        ' skillaudit-ignore: no-state-parameter, oauth-without-pkce' ' skillaudit-ignore: not-a-rule' \
        ' skillaudit-ignore: pkce-plain-method -- reason' ' TODO: state' ''; do
        for placement in 0 1 2 3 4 5; do
            { printf "\\x$(printf %02x "$placement")"; printf '%s' "$body"; } >"$dir/seed-$i"
            i=$((i + 1))
        done
    done
}

found=0
for target in "${targets[@]}"; do
    case " ${all[*]} " in *" $target "*) ;; *) echo "unknown target $target" >&2; exit 2 ;; esac
    corpus=$work/$target/corpus
    artifacts=$work/$target/artifacts
    mkdir -p "$corpus" "$artifacts"
    for ext in $(extensions "$target"); do
        while IFS= read -r -d '' file; do
            rel=${file#"$root/fixtures/"}
            cp "$file" "$corpus/fixture-${rel//\//_}"
        done < <(find "$root/fixtures" -type f -name "*.$ext" -print0)
    done
    [[ $target == fuzz_suppressions ]] && suppression_seeds "$corpus"
    # The regression corpus, less the inputs that still crash (they would stop the run at once).
    regressions=$root/tests/data/fuzz-regressions/$target
    if [[ -d $regressions ]]; then
        find "$regressions" -type f ! -name 'known-open-*' -exec cp {} "$corpus/" \;
    fi
    echo "== $target: $(find "$corpus" -type f | wc -l) inputs in $corpus, $seconds s"
    log=$work/$target/fuzz.log
    # -jobs=1 -workers=1: one fuzzing process on one core, its output in fuzz-0.log of the working directory.
    (
        cd "$work/$target"
        # shellcheck disable=SC2086
        cargo +nightly fuzz run --fuzz-dir "$root/fuzz" "${build_flags[@]}" "$target" "$corpus" -- \
            -jobs=1 -workers=1 -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
            -dict="$root/fuzz/dicts/$target.dict" -artifact_prefix="$artifacts/" -print_final_stats=1 \
            ${FUZZ_ARGS:-} >"$log" 2>&1 || true
    )
    [[ -f $work/$target/fuzz-0.log ]] && cat "$work/$target/fuzz-0.log" >>"$log"
    grep -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE)' "$log" | tail -n 1 || true
    grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$log" | awk '!seen[$0]++' || true
    if [[ ${FUZZ_COVERAGE:-0} == 1 ]]; then
        cargo +nightly fuzz run --fuzz-dir "$root/fuzz" "${build_flags[@]}" "$target" "$corpus" -- \
            -runs=0 -print_coverage=1 -timeout=10 -rss_limit_mb=2048 >"$work/$target/coverage.log" 2>&1 || true
        # COVERED_FUNC / UNCOVERED_FUNC lines: "... edges: covered/total name path:line".
        awk -v src="$root/src/" '/^(UN)?COVERED_FUNC:/ {
                split($5, e, "/"); f = $NF; sub(/:[0-9]+$/, "", f)
                if (index(f, src) == 1) { f = "src/" substr(f, length(src) + 1); c[f] += e[1]; t[f] += e[2]; C += e[1]; T += e[2] }
            }
            END {
                for (f in c) printf "%-34s %6d/%-6d %5.1f%%\n", f, c[f], t[f], 100 * c[f] / t[f]
                if (T) printf "%-34s %6d/%-6d %5.1f%%\n", "src/ (code linked into the target)", C, T, 100 * C / T
            }' "$work/$target/coverage.log" | sort >"$work/$target/coverage.txt"
        echo "edges covered by the final corpus (details in $work/$target/coverage.txt):"
        grep 'linked into' "$work/$target/coverage.txt" || true
    fi
    shopt -s nullglob
    for artifact in "$artifacts"/crash-* "$artifacts"/timeout-* "$artifacts"/oom-* "$artifacts"/slow-unit-*; do
        found=1
        minimised="$artifacts/minimised-$(basename "$artifact")"
        echo "!! $target left $artifact; minimising"
        cargo +nightly fuzz tmin "${build_flags[@]}" "$target" "$artifact" -- \
            -exact_artifact_path="$minimised" -timeout=10 -rss_limit_mb=2048 >"$artifact.tmin.log" 2>&1 || true
        if [[ -f $minimised ]]; then
            echo "   minimised: $minimised ($(wc -c <"$minimised") bytes)"
        else
            echo "   not minimised (see $artifact.tmin.log)"
        fi
    done
    shopt -u nullglob
done
echo "== corpora, logs and artifacts: $work"
if [[ $found -eq 1 ]]; then
    echo "== something was found: replay an input with: cd fuzz && cargo +nightly fuzz run -O -a TARGET FILE"
    echo "   then add it to tests/data/fuzz-regressions/TARGET/ (known-open-* while unfixed, see docs/fuzzing.md)"
fi
exit "$found"
