#!/usr/bin/env bash
# Checks observability/ without Docker: every YAML and JSON file parses; each dashboard panel has a datasource and
# queries that promtool can parse; every file compose.yaml mounts exists and the files agree with each other (service
# names, ports, datasource uid, mount paths, the variables the services read); `promtool check config` accepts the
# Prometheus configuration when promtool is installed. What needs Docker is listed at the end, not run.
# The checks are Python (observability/check_stack.py); exit status 1 on any failure.
#
# YAML is read with PyYAML when python3 has it, otherwise with js-yaml from the npm registry (npx puts it in npm's
# cache on first use). CHECK_YAML_PARSER=js-yaml forces the second.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
command -v python3 >/dev/null || { echo "FAIL python3 is needed to run the checks" >&2; exit 1; }

exec python3 check_stack.py "$@"
