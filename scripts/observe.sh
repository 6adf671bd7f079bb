#!/usr/bin/env bash
# scripts/observe.sh - Prometheus, with the alert rules, against the services running on this machine.
# Called by `make observe`; start the services first (`make run` in another terminal).
#
# Runs the Debian prometheus in the foreground on :9090 with observability/prometheus/prometheus.local.yml (the
# compose stack's prometheus.yml with every target on 127.0.0.1) and a throwaway storage directory. Before that it:
#   - enables RabbitMQ's prometheus plugin (:15692) if it does not answer; the plugin then stays enabled;
#   - starts prometheus-postgres-exporter (:9187) and prometheus-redis-exporter (:9121) in the background, unless
#     something already answers on those ports (then that one is used, and left alone).
# Ctrl-C (SIGINT), SIGTERM or SIGHUP stops prometheus and the exporters this script started, and removes the storage
# directory with their logs. If prometheus exits on its own, the exporters are stopped too.
#
# Edited a rule? `curl -X POST localhost:9090/-/reload` loads it without a restart.
#
# Environment:
#   DATA_SOURCE_NAME  the postgres exporter's connection (its own variable):
#                     postgresql://$PGADMIN_USER@$DB_HOST:$DB_PORT/postgres?sslmode=disable
#   DB_HOST DB_PORT PGADMIN_USER   127.0.0.1 5432 postgres (as for scripts/deps.sh; trust auth over TCP)
#   REDIS_HOST REDIS_PORT          127.0.0.1 6379
#   OBSERVE_TMP       where the throwaway directory goes: ${TMPDIR:-/tmp}
# The scrape targets themselves (ports 9000, 9001, 15692, 9187, 9121, and 9090) are fixed by prometheus.local.yml.
set -euo pipefail

# rabbitmq-plugins lives in /usr/sbin, which is not in every user's PATH.
PATH=$PATH:/usr/sbin:/sbin

cd "$(dirname "${BASH_SOURCE[0]}")/.."

CONFIG=observability/prometheus/prometheus.local.yml
PROMETHEUS_PORT=9090
DB_HOST=${DB_HOST:-127.0.0.1}
DB_PORT=${DB_PORT:-5432}
PGADMIN_USER=${PGADMIN_USER:-postgres}
DATA_SOURCE_NAME=${DATA_SOURCE_NAME:-postgresql://$PGADMIN_USER@$DB_HOST:$DB_PORT/postgres?sslmode=disable}
REDIS_HOST=${REDIS_HOST:-127.0.0.1}
REDIS_PORT=${REDIS_PORT:-6379}

say() { printf '[observe] %s\n' "$*" 2>/dev/null || true; }
warn() { printf '[observe] %s\n' "$*" >&2 || true; }

# answers URL: true when URL answers 2xx within 2 s.
answers() { curl -sf -o /dev/null --max-time 2 "$1"; }

# --- preflight: fail early and say what to do ---------------------------------

if ! command -v prometheus >/dev/null; then
    warn "prometheus not found: install it with sudo apt-get install prometheus (Debian/Ubuntu package)"
    exit 1
fi
if ! command -v curl >/dev/null; then
    warn "curl not found: sudo apt-get install curl"
    exit 1
fi
if answers "http://127.0.0.1:$PROMETHEUS_PORT/-/ready"; then
    warn "a Prometheus already answers on :$PROMETHEUS_PORT (another make observe?): stop it first"
    exit 1
fi

for target in api-service=9000 write-worker=9001; do
    if ! answers "http://127.0.0.1:${target#*=}/q/health/live"; then
        warn "${target%=*} does not answer on :${target#*=}: start it (make run, in another terminal);" \
            "its target shows down until then"
    fi
done

# --- RabbitMQ's prometheus plugin ------------------------------------------------

if ! answers http://127.0.0.1:15692/metrics; then
    if ! command -v rabbitmq-plugins >/dev/null; then
        warn "RabbitMQ's prometheus endpoint :15692 does not answer, and rabbitmq-plugins is not here:" \
            "run rabbitmq-plugins enable rabbitmq_prometheus where RabbitMQ runs"
    else
        root=()
        if ((EUID != 0)) && sudo -n true 2>/dev/null; then root=(sudo -n); fi
        say "RabbitMQ's prometheus endpoint :15692 does not answer: enabling the plugin" \
            "(rabbitmq-plugins enable rabbitmq_prometheus; it stays enabled)"
        if "${root[@]}" rabbitmq-plugins enable rabbitmq_prometheus >/dev/null; then
            for ((i = 0; i < 30; i++)); do
                if answers http://127.0.0.1:15692/metrics; then break; fi
                sleep 0.5
            done
        fi
        if ! answers http://127.0.0.1:15692/metrics; then
            warn "could not enable it (is RabbitMQ running? as root: rabbitmq-plugins enable rabbitmq_prometheus);" \
                "the rabbitmq targets show down"
        fi
    fi
fi

# --- background processes and their cleanup ----------------------------------------

WORK=$(mktemp -d "${OBSERVE_TMP:-${TMPDIR:-/tmp}}/tasks-observe.XXXXXX")
PIDS=() # everything this script started; stopped on exit

# running PID: true while the process has not exited (a zombie has exited).
running() {
    local stat
    { read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1
    stat=${stat##*) } # the state follows "(command name) "
    [[ ${stat%% *} != Z ]]
}

# Stops what we started (SIGTERM, SIGKILL after 10 s) and removes the throwaway directory.
# shellcheck disable=SC2317 # called by the trap on EXIT
cleanup() {
    local pid i alive
    trap '' INT TERM HUP # a second Ctrl-C must not cut the cleanup short
    if ((${#PIDS[@]} > 0)); then
        say "stopping prometheus and the exporters"
        kill -TERM "${PIDS[@]}" 2>/dev/null || true
        for ((i = 0; i < 100; i++)); do
            alive=0
            for pid in "${PIDS[@]}"; do
                if running "$pid"; then alive=1; fi
            done
            if ((!alive)); then break; fi
            sleep 0.1
        done
        kill -KILL "${PIDS[@]}" 2>/dev/null || true
        wait "${PIDS[@]}" 2>/dev/null || true
    fi
    rm -rf -- "$WORK"
}
trap cleanup EXIT
# A trapped signal ends the `wait` below at once; exiting runs cleanup.
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# exporter NAME PORT PACKAGE COMMAND...: start COMMAND in the background, logging to $WORK/NAME.log, unless an
# exporter already answers on PORT.
exporter() {
    local name=$1 port=$2 package=$3
    shift 3
    if answers "http://127.0.0.1:$port/metrics"; then
        say "$name: one already answers on :$port, using it (not stopped on exit)"
    elif ! command -v "$1" >/dev/null; then
        warn "$name: $1 not found: sudo apt-get install $package; its target shows down"
    else
        "$@" >"$WORK/$name.log" 2>&1 &
        PIDS+=("$!")
        say "$name: started on :$port (pid $!, log $WORK/$name.log)"
    fi
}

export DATA_SOURCE_NAME
exporter postgres-exporter 9187 prometheus-postgres-exporter \
    prometheus-postgres-exporter --web.listen-address=127.0.0.1:9187
exporter redis-exporter 9121 prometheus-redis-exporter \
    prometheus-redis-exporter -redis.addr "redis://$REDIS_HOST:$REDIS_PORT" -web.listen-address 127.0.0.1:9121

# --- prometheus -------------------------------------------------------------------

# Its log goes to the terminal; the storage lives only as long as this script.
prometheus --config.file="$CONFIG" --storage.tsdb.path="$WORK/data" --storage.tsdb.retention.time=1d \
    --web.listen-address=":$PROMETHEUS_PORT" --web.enable-lifecycle &
PROMETHEUS_PID=$!
PIDS+=("$PROMETHEUS_PID")

for ((i = 0; i < 60; i++)); do
    if answers "http://127.0.0.1:$PROMETHEUS_PORT/-/ready" || ! running "$PROMETHEUS_PID"; then break; fi
    sleep 0.5
done
if answers "http://127.0.0.1:$PROMETHEUS_PORT/-/ready"; then
    # Debian's build has no React UI, only the classic pages under /classic.
    ui=http://localhost:$PROMETHEUS_PORT
    if ! answers "$ui/alerts" && answers "$ui/classic/alerts"; then ui=$ui/classic; fi
    say "Prometheus is up (Ctrl-C stops it and the exporters started here):"
    say "  graph    $ui/graph"
    say "  targets  $ui/targets"
    say "  alerts   $ui/alerts"
    say "  rules    $ui/rules"
    say "  API      http://localhost:$PROMETHEUS_PORT/api/v1/alerts"
    say "  storage  $WORK/data (removed on exit)"
fi

status=0
wait "$PROMETHEUS_PID" || status=$?
warn "prometheus exited on its own with status $status"
exit $((status == 0 ? 1 : status))
