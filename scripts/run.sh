#!/usr/bin/env bash
# scripts/run.sh - run api-service and write-worker together, in the foreground.
# Called by `make run` after the build.
#
# Each output line is prefixed with "[api] " or "[worker] ". Ctrl-C (SIGINT),
# SIGTERM or SIGHUP stops both services: they get SIGTERM, and SIGKILL if they
# are still running STOP_TIMEOUT seconds later (a second Ctrl-C kills them at
# once). If one service exits on its own, the others are stopped too (with
# REPLICAS, once HAProxy or the last replica of a service exits) and the
# script exits non-zero.
#
# Management interfaces (health, metrics, OpenAPI): api-service on :9000, write-worker on :9001 (its only port).
#
# REPLICAS=N (N > 1) runs N api-service replicas (ports 8180.., management 9280..) and N write-workers
# (management 9290..) behind HAProxy on :8080 ([api1], [worker1], [lb], ...; its
# configuration: scripts/haproxy-config.sh; why: docs/adr/0001-replicated-topology.md),
# on the three-node RabbitMQ cluster of scripts/rabbitmq-cluster.sh (make deps starts it),
# each replica trying the nodes from a different first one. A stopped replica stays ready-but-
# draining for QUARKUS_SHUTDOWN_DELAY (5S), long enough for HAProxy's checks to take it out.
#
# Environment:
#   JAVA_OPTS     extra JVM options for both services (split on whitespace), after each
#                 service's own (api-service/jvm.options, write-worker/jvm.options): a later option wins
#   JAVA_HOME     use $JAVA_HOME/bin/java instead of the java on the PATH
#   API_JAR       default api-service/target/quarkus-app/quarkus-run.jar
#   WORKER_JAR    default write-worker/target/quarkus-app/quarkus-run.jar
#                 (relative paths are relative to the repository root)
#   STOP_TIMEOUT  seconds to wait after SIGTERM before SIGKILL (20)
#   REPLICAS      replicas of each service (1: api-service itself on :8080, no balancer)
set -euo pipefail

# wait -n -p needs bash 5.1.
if ((BASH_VERSINFO[0] * 100 + BASH_VERSINFO[1] < 501)); then
    echo "run.sh needs bash 5.1 or newer (this is $BASH_VERSION)" >&2
    exit 1
fi

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# the local stack's passwords (config/local.env): the production profile has no defaults for them
source scripts/local-env.sh

API_JAR=${API_JAR:-api-service/target/quarkus-app/quarkus-run.jar}
WORKER_JAR=${WORKER_JAR:-write-worker/target/quarkus-app/quarkus-run.jar}
STOP_TIMEOUT=${STOP_TIMEOUT:-20}
REPLICAS=${REPLICAS:-1}

JAVA=java
if [[ -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/java ]]; then JAVA=$JAVA_HOME/bin/java; fi
read -r -a JAVA_OPTS_ARRAY <<<"${JAVA_OPTS:-}"

# (|| true: after SIGHUP the terminal may be gone, and we still have to clean up.)
log() { printf '[run] %s\n' "$*" 2>/dev/null || true; }

# --- preflight: fail early and say what to do ---------------------------------

ok=1
for jar in "$API_JAR" "$WORKER_JAR"; do
    if [[ ! -f $jar ]]; then
        echo "run: $jar not found: run make build first" >&2
        ok=0
    fi
done
if [[ ! $REPLICAS =~ ^[1-9][0-9]?$ ]]; then
    echo "run: REPLICAS must be a number from 1 to 99 (got '$REPLICAS')" >&2
    ok=0
elif ((REPLICAS > 1)) && ! command -v haproxy >/dev/null; then
    echo "run: REPLICAS=$REPLICAS needs HAProxy in front of the replicas: sudo apt-get install haproxy" >&2
    ok=0
fi
if ! command -v "$JAVA" >/dev/null; then
    echo "run: java not found: install a JDK (sudo apt-get install openjdk-17-jdk-headless) or set JAVA_HOME" >&2
    ok=0
fi
if ((!ok)); then exit 1; fi

# --- child process handling -------------------------------------------------------

declare -A PID=()     # process name -> pid (java's, or HAProxy's)
PREFIX_PIDS=()        # the sed processes that prefix the output
NAMES=()

# start NAME JAR OPTIONS_FILE [SETTING=VALUE...]: run the jar with the JVM options of OPTIONS_FILE, and the
# environment settings given, in the background with its output (stdout and
# stderr) prefixed with "[NAME] ". PID[NAME] is the java process itself, so
# `wait` reports java's own exit status.
start() {
    local name=$1 jar=$2 options=$3
    shift 3
    run_prefixed "$name" env "$@" "$JAVA" "@$options" "${JAVA_OPTS_ARRAY[@]}" -jar "$jar"
}

# run_prefixed NAME COMMAND...: COMMAND in the background, its output prefixed with "[NAME] "; PID[NAME] is its pid.
run_prefixed() {
    local name=$1 fd
    shift
    # The prefixer ignores INT/TERM/HUP: it ends when java closes the pipe, so
    # the services' shutdown messages are not lost.
    exec {fd}> >(trap '' INT TERM HUP && exec sed -u "s/^/[$name] /")
    PREFIX_PIDS+=("$!")
    # Being a background job of a non-interactive shell, java ignores SIGINT:
    # on Ctrl-C only this script reacts, and it stops the services with SIGTERM.
    "$@" >&"$fd" 2>&1 {fd}>&- &
    PID[$name]=$!
    NAMES+=("$name")
    exec {fd}>&-
}

# running PID: true while the process has not exited (a zombie has exited).
running() {
    local stat
    if [[ -d /proc/self ]]; then
        { read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1
        stat=${stat##*) } # the state follows "(command name) "
        [[ ${stat%% *} != Z ]]
    else
        stat=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
        [[ -n $stat && $stat != Z* ]]
    fi
}

# stop_all: SIGTERM to the services still running, wait up to STOP_TIMEOUT
# seconds (less if FORCE gets set by a second signal), then SIGKILL.
FORCE=0
stop_all() {
    local name pid i alive
    local -a pids=()
    for name in "${NAMES[@]}"; do
        if [[ -n ${PID[$name]:-} ]] && running "${PID[$name]}"; then pids+=("${PID[$name]}"); fi
    done
    if ((${#pids[@]} > 0)); then
        kill -TERM "${pids[@]}" 2>/dev/null || true
        for ((i = 0; i < STOP_TIMEOUT * 10 && !FORCE; i++)); do
            alive=0
            for pid in "${pids[@]}"; do
                if running "$pid"; then alive=1; fi
            done
            if ((!alive)); then break; fi
            sleep 0.1 || true # a Ctrl-C also hits sleep: do not let set -e end us
        done
        for name in "${NAMES[@]}"; do
            if [[ -n ${PID[$name]:-} ]] && running "${PID[$name]}"; then
                log "$name (pid ${PID[$name]}) is still running, killing it"
                kill -KILL "${PID[$name]}" 2>/dev/null || true
            fi
        done
        wait "${pids[@]}" 2>/dev/null || true
    fi
    # Give the prefixers a moment to print the last lines before we return.
    for ((i = 0; i < 20; i++)); do
        alive=0
        for pid in "${PREFIX_PIDS[@]}"; do
            if running "$pid"; then alive=1; fi
        done
        if ((!alive)); then break; fi
        sleep 0.1 || true
    done
}

SIGNAL=""
# Called by the traps below. (No `return` in here: bash would then exit if the
# same signal also killed a child such as sleep.)
# shellcheck disable=SC2317
on_signal() {
    if [[ -z $SIGNAL ]]; then
        SIGNAL=$1
    else
        FORCE=1 # second signal: do not wait any longer
    fi
}
trap 'on_signal INT' INT
trap 'on_signal TERM' TERM
trap 'on_signal HUP' HUP

# --- main -------------------------------------------------------------------------

if ((REPLICAS == 1)); then
    log "starting api-service and write-worker (Ctrl-C stops both)"
    log "  API           http://localhost:8080/tasks (a token: make -s token; docs/security.md)"
    log "  Swagger UI    http://localhost:9000/q/swagger-ui (the management port: also /q/health, /q/metrics)"
    log "  worker health http://localhost:9001/q/health"
    start api "$API_JAR" api-service/jvm.options
    start worker "$WORKER_JAR" write-worker/jvm.options
else
    log "starting $REPLICAS replicas of api-service and of write-worker behind HAProxy (Ctrl-C stops them all)"
    log "  API            http://localhost:8080/tasks (HAProxy), replicas on :8180-$((8180 + REPLICAS - 1))"
    log "                 management (health, metrics) on :9280-$((9280 + REPLICAS - 1))"
    log "  workers        health and metrics on :9290-$((9290 + REPLICAS - 1))"
    log "  HAProxy        http://localhost:8404/stats, metrics on /metrics"
    IFS=, read -r -a NODES <<<"$(scripts/rabbitmq-cluster.sh addresses)"
    log "  RabbitMQ       cluster ${NODES[*]}"
    for ((i = 1; i <= REPLICAS; i++)); do
        # the nodes from the i-th on, then the ones before: connections spread over the cluster
        first=$(((i - 1) % ${#NODES[@]}))
        nodes=("${NODES[@]:first}" "${NODES[@]:0:first}")
        cluster=RABBITMQ_ADDRESSES=$(IFS=,; echo "${nodes[*]}")
        delay=QUARKUS_SHUTDOWN_DELAY=${QUARKUS_SHUTDOWN_DELAY:-5S}
        start "api$i" "$API_JAR" api-service/jvm.options QUARKUS_HTTP_PORT=$((8180 + i - 1)) \
            QUARKUS_MANAGEMENT_PORT=$((9280 + i - 1)) "$cluster" "$delay"
        start "worker$i" "$WORKER_JAR" write-worker/jvm.options QUARKUS_MANAGEMENT_PORT=$((9290 + i - 1)) "$cluster"
    done
    LB_CONFIG=$(mktemp --suffix=.haproxy.cfg)
    trap 'rm -f "$LB_CONFIG"' EXIT
    scripts/haproxy-config.sh "$REPLICAS" 8180 9280 >"$LB_CONFIG"
    run_prefixed lb haproxy -W -db -f "$LB_CONFIG"
fi

# With replicas, one that exits leaves the others serving (HAProxy routes around it); the run ends when a signal
# arrives, HAProxy exits, or the last replica of a service is gone.
exited="" status=0
waiting=("${PID[@]}")
while [[ -z $SIGNAL ]]; do
    exited="" status=0
    # Returns when a process exits, or early when a trapped signal arrives.
    wait -n -p exited "${waiting[@]}" || status=$?
    [[ -n ${exited:-} && -z $SIGNAL ]] || continue
    name=""
    for candidate in "${NAMES[@]}"; do [[ ${PID[$candidate]} == "$exited" ]] && name=$candidate; done
    if ((REPLICAS == 1)) || [[ $name == lb ]]; then break; fi
    waiting=()
    for candidate in "${NAMES[@]}"; do
        if [[ $candidate != "$name" ]] && running "${PID[$candidate]}"; then waiting+=("${PID[$candidate]}"); fi
    done
    left=0
    for candidate in "${NAMES[@]}"; do
        if [[ $candidate == "${name%%[0-9]*}"[0-9]* && $candidate != "$name" ]] && running "${PID[$candidate]}"; then left=$((left + 1)); fi
    done
    if ((left == 0)); then break; fi
    log "$name exited with status $status; $left of $REPLICAS replicas of it still running"
done

if [[ -n $SIGNAL ]]; then
    log "got SIG$SIGNAL, stopping ${NAMES[*]} (SIGKILL after ${STOP_TIMEOUT}s; Ctrl-C again to kill now)"
    stop_all
    log "stopped"
    # Die of the same signal, so that make and the shell see what happened.
    trap - "$SIGNAL"
    kill -s "$SIGNAL" "$$"
    exit 1 # not reached
fi

for name in "${NAMES[@]}"; do
    if [[ ${PID[$name]} == "$exited" ]]; then exited=$name; fi
done
log "$exited exited on its own with status $status; stopping the rest"
stop_all
exit $((status == 0 ? 1 : status))
