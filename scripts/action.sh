#!/usr/bin/env bash
# The shell steps of the GitHub Action (action.yml), kept here so that they can be run and tested locally:
#   action.sh version   write the version of the action's checkout to $GITHUB_OUTPUT
#   action.sh install   install skillaudit from the action's checkout into ~/.skillaudit (kept by actions/cache)
#   action.sh scan      scan with the INPUT_* settings; annotations, SARIF, job summary, exit code kept
set -euo pipefail

action_path=${GITHUB_ACTION_PATH:-$(cd "$(dirname "$0")/.." && pwd)}
output=${GITHUB_OUTPUT:-/dev/null}

version() {
  sed -n 's/^version = "\(.*\)"$/\1/p' "$action_path/Cargo.toml" | head -n 1
}

case "${1:-}" in
  version)
    echo "version=$(version)" >>"$output"
    ;;
  install)
    root="${SKILLAUDIT_ROOT:-$HOME/.skillaudit}"
    if [ -n "${GITHUB_PATH:-}" ]; then echo "$root/bin" >>"$GITHUB_PATH"; fi
    export PATH="$root/bin:$PATH"
    want="skillaudit $(version)"
    if command -v skillaudit >/dev/null 2>&1 && [ "$(skillaudit --version)" = "$want" ]; then
      echo "$want is installed ($(command -v skillaudit))"
      exit 0
    fi
    cargo install --locked --path "$action_path" --root "$root"
    ;;
  scan)
    read -r -a paths <<<"${INPUT_PATHS:-.}"
    read -r -a extra <<<"${INPUT_ARGS:-}"
    sarif="${INPUT_SARIF_FILE:-skillaudit.sarif}"
    args=(scan --format github --report "sarif=$sarif")
    if [ -n "${INPUT_MIN_SEVERITY:-}" ]; then args+=(--min-severity "$INPUT_MIN_SEVERITY"); fi
    set +e
    skillaudit "${args[@]}" "${extra[@]}" "${paths[@]}"
    code=$?
    set -e
    {
      echo "exit-code=$code"
      echo "sarif-file=$sarif"
    } >>"$output"
    if [ "$code" -eq 1 ] && [ "${INPUT_FAIL_ON_FINDINGS:-true}" = "false" ]; then
      echo "skillaudit found problems; fail-on-findings is false, so the step passes"
      exit 0
    fi
    exit "$code"
    ;;
  *)
    echo "usage: action.sh version|install|scan" >&2
    exit 2
    ;;
esac
