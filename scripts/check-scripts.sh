#!/usr/bin/env bash
# scripts/check-scripts.sh - make check-scripts: shellcheck on every shell script of the repository, that is every
# tracked file named *.sh, .ci/run, and every other tracked file whose first line is a bash shebang. Sourced files
# are followed (-x) from the repository root, the working directory the scripts expect. Fails on any finding; a
# finding that is a false positive is disabled on its line, with the reason, in the script itself.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v shellcheck > /dev/null; then
    echo "check-scripts: shellcheck not found; install it: sudo apt-get install shellcheck" >&2
    exit 1
fi

tracked=$(mktemp)
trap 'rm -f -- "$tracked"' EXIT
git ls-files -z > "$tracked" # alone, so that a failure (not a Git checkout) stops the script

scripts=()
while IFS= read -r -d '' file; do
    [[ -f $file ]] || continue # tracked but deleted in the working tree
    case $file in
        *.sh | .ci/run) scripts+=("$file") ;;
        *)
            first=""
            { IFS= read -r first < "$file"; } 2> /dev/null || true # binary files: no newline, NUL bytes
            if [[ $first =~ ^#!.*[/[:space:]]bash([[:space:]]|$) ]]; then scripts+=("$file"); fi
            ;;
    esac
done < "$tracked"

if ((${#scripts[@]} == 0)); then
    echo "check-scripts: no shell scripts found (git ls-files listed none)" >&2
    exit 1
fi
shellcheck -x "${scripts[@]}"
echo "check-scripts: ${#scripts[@]} scripts, no shellcheck findings"
