# shellcheck shell=bash
# loadtest/token-env.sh - sourced (not run) by loadtest/lib.sh, loadtest/bench/bench-lib.sh and the bench scripts that
# source neither: exports TASKS_TOKEN, the bearer token every load, chaos and bench client sends (Gatling, wrk's Lua
# scripts, curl), unless the environment sets one already. One token for the run, with every scope (the harness also
# resets state with DELETE /tasks), valid for a day, signed with the development key the local stack trusts
# (scripts/token.sh). Expects the repository root as the working directory.
if [[ -z ${TASKS_TOKEN:-} ]]; then
    TASKS_TOKEN=$(SCOPE="tasks:read tasks:write tasks:admin" SUBJECT=loadtest TTL=86400 scripts/token.sh)
    export TASKS_TOKEN
fi
