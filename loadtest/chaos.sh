#!/usr/bin/env bash
# loadtest/chaos.sh - the seed article's chaos experiment: the load of `make load` with one fault applied in the middle
# of it, then the ledger check and the scenario's expectations (ChaosReport / Scenario, in loadtest/src/main).
#
# Usage: loadtest/chaos.sh SCENARIO...  or  loadtest/chaos.sh all     (make chaos [SCENARIO=name])
# Scenarios: the constants of loadtest/src/main/java/dev/resilient/loadtest/chaos/Scenario.java (postgres-down for
# POSTGRES_DOWN), in the order `all` runs them; those from REPLICA_KILL on need REPLICAS > 1. Run without arguments,
# this script lists them.
#
# The suite starts its own api-service (:18080, management :19000) and write-worker (management :19001), once for all its scenarios (so only the
# first runs on cold JVMs), connected to PostgreSQL, Redis and RabbitMQ through fault proxies (test-support's
# FaultProxy, run as separate processes with an HTTP control port) so that latency and black holes can be injected
# from outside; outages stop the real local services, as the article stopped its containers. Whatever a scenario
# changed is restored when it ends, fails or is interrupted (trap); the processes the suite started are stopped at
# its end. They share the tasks.writes.* queues with `make run`'s services: stop those first.
#
# REPLICAS=N (N > 1) runs the replicated topology of `make run REPLICAS=N` instead: N api-service replicas
# (:18180.., management :19280..) behind HAProxy on :18080 (statistics on 127.0.0.1:18404), N write-workers
# (management :19290..), and the three-node
# RabbitMQ cluster of scripts/rabbitmq-cluster.sh (one fault proxy per node) in place of the stock broker: stopping
# "RabbitMQ" then stops every node's application, and resetting it starts the cluster again from nothing.
#
# In loadtest/target/chaos/suite-<time>/: the services' and proxies' logs, and per scenario (<scenario>-<time>/) the
# ledger and request log, metrics scraped before the load / at the fault / at the heal / after settling, Gatling's
# HTML report (gatling/) and chart.svg. Each run appends to SUMMARY a header with its command, then each scenario's
# table, and with several scenarios an overview table; the charts are copied next to the summary
# (chaos/<scenario>.svg, chaos/replicated/<scenario>.svg with REPLICAS > 1).
#
# Environment: USERS (100), DURATION seconds of load (120), RAMP_UP seconds over which the users start (10: a JVM
# just started is not judged by its cold first seconds), FAULT_AT seconds into the load (DURATION/3), FAULT_SECONDS
# (DURATION/3), SETTLE_SECONDS (300), WARM_UP seconds of unmeasured load on freshly started services before the first
# scenario (90), SUMMARY (loadtest/results/summary.md), REPLICAS (1).
# Exit status: 0 when every scenario passed its expectations and its ledger check, 1 otherwise, 2 on bad usage.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source loadtest/lib.sh
SAY_AS=chaos

export REPLICAS=${REPLICAS:-1} # also for make deps: HAProxy and the cluster
USERS=${USERS:-100}
DURATION=${DURATION:-120}
FAULT_AT=${FAULT_AT:-$((DURATION / 3))}
FAULT_SECONDS=${FAULT_SECONDS:-$((DURATION / 3))}
SETTLE_SECONDS=${SETTLE_SECONDS:-300}
WARM_UP=${WARM_UP:-90}
export RAMP_UP=${RAMP_UP:-10}
SUMMARY=${SUMMARY:-loadtest/results/summary.md}

# What the users call: api-service itself, or HAProxy in front of the replicas.
API_PORT=18080
LB_STATS_PORT=18404
API_PORTS=(18080) # each replica's own
API_MANAGEMENT_PORTS=(19000)
WORKER_PORTS=(19001) # the worker listens on its management port only
# Proxy listen and control ports, per proxy. All below Linux's ephemeral range (32768-60999 by default), where any
# outgoing connection of the machine may hold a port at the moment the suite wants to listen on it.
declare -A PROXY_PORT=([postgres]=24432 [redis]=24379 [rabbitmq]=24672)
declare -A CONTROL_PORT=([postgres]=29432 [redis]=29379 [rabbitmq]=29672)
declare -A TARGET_PORT=([postgres]=5432 [redis]=6379 [rabbitmq]=5672)
RABBITMQ_PROXIES=(rabbitmq)
if ((REPLICAS > 1)); then
    API_PORTS=() API_MANAGEMENT_PORTS=() WORKER_PORTS=()
    for ((i = 0; i < REPLICAS; i++)); do
        API_PORTS+=($((18180 + i))) API_MANAGEMENT_PORTS+=($((19280 + i))) WORKER_PORTS+=($((19290 + i)))
    done
    # one proxy per cluster node: rabbitmq (node 1), rabbitmq2, rabbitmq3
    export RABBITMQ_CLUSTER=1
    IFS=, read -r -a nodes <<< "$(scripts/rabbitmq-cluster.sh addresses)"
    RABBITMQ_PROXIES=()
    for ((i = 0; i < ${#nodes[@]}; i++)); do
        name=rabbitmq$((i + 1))
        ((i == 0)) && name=rabbitmq
        RABBITMQ_PROXIES+=("$name")
        PROXY_PORT[$name]=$((24672 + i)) CONTROL_PORT[$name]=$((29672 + i)) TARGET_PORT[$name]=${nodes[i]##*:}
    done
fi
PROXIES=(postgres redis "${RABBITMQ_PROXIES[@]}")
# shellcheck disable=SC2012 # the entries are PostgreSQL major versions (digits only)
PG_VERSION=$(ls /etc/postgresql 2> /dev/null | sort -n | tail -n 1)

API_JAR=api-service/target/quarkus-app/quarkus-run.jar
WORKER_JAR=write-worker/target/quarkus-app/quarkus-run.jar
PROXY_CLASSES=test-support/target/classes

# The suite's own set-up failed (a port taken, a service that never became ready): nothing after this could be judged.
die() {
    say "SET-UP FAILED: $*"
    exit 1
}

# The scenarios, in the order `all` runs them, from their one list (Scenario.java); faults of one replica among
# several (they need REPLICAS > 1) apart.
SCENARIOS=() REPLICATED_SCENARIOS=()
scenario_list=$(loadtest_java dev.resilient.loadtest.chaos.ChaosReport scenarios) || die "could not list the scenarios"
while read -r name topology; do
    if [[ $topology == replicated ]]; then REPLICATED_SCENARIOS+=("$name"); else SCENARIOS+=("$name"); fi
done <<< "$scenario_list"

if (($# == 0)); then
    sed -n '5p' "$0" | sed 's/^# \{0,1\}//'
    echo "Scenarios: ${SCENARIOS[*]}"
    echo "and, with REPLICAS > 1 only: ${REPLICATED_SCENARIOS[*]}"
    exit 2
fi
if [[ ! $REPLICAS =~ ^[1-9]$ ]]; then say "REPLICAS must be 1 to 9, not $REPLICAS"; exit 2; fi
if ((REPLICAS > 1)); then SCENARIOS+=("${REPLICATED_SCENARIOS[@]}"); fi
if [[ $1 == all ]]; then set -- "${SCENARIOS[@]}"; fi
for scenario in "$@"; do
    if [[ " ${REPLICATED_SCENARIOS[*]} " == *" $scenario "* ]] && ((REPLICAS == 1)); then
        say "$scenario needs several replicas: REPLICAS=2 loadtest/chaos.sh $scenario (make chaos SCENARIO=$scenario REPLICAS=2)"
        exit 2
    fi
    [[ " ${SCENARIOS[*]} " == *" $scenario "* ]] || { say "no scenario $scenario (known: ${SCENARIOS[*]})"; exit 2; }
done

# ---- the processes this script starts ----

declare -A PID=()
SUITE_DIR=$PWD/loadtest/target/chaos/suite-$(date +%s) # the services' and proxies' logs; one folder per scenario
RUN_DIR=""
WANTED=0 # while the suite runs: heal restarts a stopped or killed service

# start_process NAME LOG COMMAND...: in the background, its pid in PID[NAME].
start_process() {
    local name=$1 log=$2
    shift 2
    "$@" >> "$log" 2>&1 &
    PID[$name]=$!
}

# alive NAME: its process is running (an exited child not yet waited for is a zombie: not alive).
alive() {
    local state
    [[ -n ${PID[$1]:-} ]] && state=$(ps -o stat= -p "${PID[$1]}" 2> /dev/null) && [[ $state != Z* ]]
}

# The process and all its descendants (Maven runs Gatling in a child JVM).
process_tree() {
    local child
    echo "$1"
    for child in $(pgrep -P "$1"); do process_tree "$child"; done
}

# stop_process NAME [SIGNAL]: TERM (or SIGNAL) to it and its descendants, then KILL after 20 s.
stop_process() {
    local name=$1 signal=${2:-TERM}
    alive "$name" || { PID[$name]=""; return 0; }
    local tree
    tree=$(process_tree "${PID[$name]}")
    # shellcheck disable=SC2086 # a list of pids
    kill "-$signal" $tree 2> /dev/null || true
    for _ in $(seq 1 200); do alive "$name" || break; sleep 0.1; done
    # shellcheck disable=SC2086
    if alive "$name"; then kill -KILL $tree 2> /dev/null || true; fi
    wait "${PID[$name]}" 2> /dev/null || true
    PID[$name]=""
}

# service_env REPLICA COMMAND...: runs COMMAND (exec: the pid stays the service's) with the dependencies behind the
# proxies, and the settings of the scenario at hand (STACK_SETTINGS). Replica i tries the cluster's nodes from the
# i-th on, so that the connections spread over them.
service_env() {
    local replica=$1 first nodes=() node
    shift
    first=$(((replica - 1) % ${#RABBITMQ_PROXIES[@]}))
    for node in "${RABBITMQ_PROXIES[@]:first}" "${RABBITMQ_PROXIES[@]:0:first}"; do
        nodes+=("127.0.0.1:${PROXY_PORT[$node]}")
    done
    # shellcheck disable=SC2086 # a list of NAME=value words
    exec env DB_PORT="${PROXY_PORT[postgres]}" REDIS_PORT="${PROXY_PORT[redis]}" \
        RABBITMQ_PORT="${PROXY_PORT[rabbitmq]}" RABBITMQ_ADDRESSES="$(IFS=,; echo "${nodes[*]}")" \
        $STACK_SETTINGS "$@"
}

# The services' settings a scenario needs (NAME=value words), empty for most. long-outage shortens the journal's
# lifetimes so that its outage outlasts them: the horizon is half the fault, a final state is polled for 10 s, and
# applied_operations keeps three horizons.
STACK_SETTINGS=""
settings_for() {
    case $1 in
        long-outage)
            local horizon=$((FAULT_SECONDS / 2))
            echo "TASKS_JOURNAL_HORIZON=${horizon}S TASKS_JOURNAL_TTL=10S" \
                "TASKS_WORKER_APPLIED_OPERATIONS_RETENTION=$((horizon * 3))S TASKS_WORKER_HOUSEKEEPING_INTERVAL=5S"
            ;;
    esac
}

# How long the clients poll a 202 before they give up on it (Gatling's pollLimit), per scenario: those of
# redis-restart-with-backlog are impatient, so they write their tasks again while older writes are still queued; those
# of rabbitmq-node-kill, so that writes go on being deferred while the node is down and while it rejoins.
poll_limit_for() {
    case $1 in
        redis-restart-with-backlog | rabbitmq-node-kill) echo 10 ;;
        *) echo 120 ;;
    esac
}

# start_api N, start_worker N: replica N (1-based), process api<N> or worker<N>. With replicas, a stopped API replica
# stays up, answering but not ready, long enough for HAProxy's checks (2 s, fast 0.5 s, 2 failures) to take it out.
# How long the load of a scenario lasts: DURATION, and half as long again for rolling-restart, whose restarts (a
# graceful stop, then a start and its warm-up, replica after replica) outlast the fault window.
duration_for() {
    case $1 in
        rolling-restart) echo $((DURATION * 3 / 2)) ;;
        *) echo "$DURATION" ;;
    esac
}

start_api() {
    local delay=""
    ((REPLICAS > 1)) && delay=QUARKUS_SHUTDOWN_DELAY=5S
    start_process "api$1" "$SUITE_DIR/api$1.log" service_env "$1" QUARKUS_HTTP_PORT="${API_PORTS[$1 - 1]}" \
        QUARKUS_MANAGEMENT_PORT="${API_MANAGEMENT_PORTS[$1 - 1]}" $delay \
        java @api-service/jvm.options -jar "$API_JAR"
}

start_worker() {
    start_process "worker$1" "$SUITE_DIR/worker$1.log" service_env "$1" QUARKUS_MANAGEMENT_PORT="${WORKER_PORTS[$1 - 1]}" \
        java @write-worker/jvm.options -jar "$WORKER_JAR"
}

start_lb() {
    local config=$SUITE_DIR/haproxy.cfg
    LB_PORT=$API_PORT LB_STATS_PORT=$LB_STATS_PORT scripts/haproxy-config.sh "$REPLICAS" "${API_PORTS[0]}" "${API_MANAGEMENT_PORTS[0]}" \
        > "$config"
    start_process lb "$SUITE_DIR/haproxy.log" haproxy -W -db -f "$config"
}

# lb_up N: HAProxy routes to API replica N (its checks found it ready).
lb_up() {
    curl -sf --max-time 2 "127.0.0.1:$LB_STATS_PORT/stats;csv" | awk -F, -v s="api$1" '$2 == s { found = $18 ~ /^UP/ } END { exit !found }'
}

# The services' processes, by name (and lb, HAProxy, with replicas).
API_NAMES=() WORKER_NAMES=()
for ((i = 1; i <= REPLICAS; i++)); do API_NAMES+=("api$i"); WORKER_NAMES+=("worker$i"); done

stop_workers() { for name in "${WORKER_NAMES[@]}"; do stop_process "$name"; done; }

# await_ready PORT...: each service's readiness (PORT: its management port), within 120 s.
await_ready() {
    for port in "$@"; do
        for _ in $(seq 1 240); do ready "$port" && continue 2; sleep 0.5; done
        say "the service on :$port did not become ready (logs in $SUITE_DIR)"
        return 1
    done
}

# ports_free PORT...: none is listened on yet (else names the process holding it).
ports_free() {
    local port holder
    for port in "$@"; do
        if holder=$(ss -Hltnp "sport = :$port" 2> /dev/null) && [[ -n $holder ]]; then
            say "port $port is already in use: $holder"
            return 1
        fi
    done
}

start_proxies() {
    ports_free "${PROXY_PORT[@]}" "${CONTROL_PORT[@]}" || return 1
    for name in "${PROXIES[@]}"; do
        start_process "proxy-$name" "$SUITE_DIR/proxy-$name.log" java -cp "$PROXY_CLASSES" \
            dev.resilient.testsupport.FaultProxy --listen "${PROXY_PORT[$name]}" \
            --target "127.0.0.1:${TARGET_PORT[$name]}" --control "${CONTROL_PORT[$name]}"
    done
    for name in "${PROXIES[@]}"; do
        for _ in $(seq 1 100); do proxy_call "$name" mode > /dev/null 2>&1 && continue 2; sleep 0.1; done
        say "the $name proxy did not start"
        return 1
    done
}

# proxy DEPENDENCY COMMAND: pass, blackhole, delay?ms=N, close-connections (see FaultProxy.serveControl), to the
# dependency's proxy, or to each node's with the cluster.
proxy() {
    if [[ $1 == rabbitmq ]]; then
        for name in "${RABBITMQ_PROXIES[@]}"; do proxy_call "$name" "$2" || return 1; done
    else
        proxy_call "$1" "$2"
    fi
}

# proxy_call NAME COMMAND: to one proxy; COMMAND mode asks for its current mode.
proxy_call() {
    local method=POST
    [[ $2 == mode ]] && method=GET
    curl -sf --max-time 5 -X "$method" "localhost:${CONTROL_PORT[$1]}/$2" > /dev/null
}

# ---- the real services ----

postgres_stop() { pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" main stop -m fast; }
postgres_start() {
    pg_isready -q -h 127.0.0.1 -p 5432 || pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" main start
}
redis_stop() { redis-cli -p 6379 shutdown nosave > /dev/null 2>&1 || true; }
# Redis restarted without persistence: everything it held is gone. Started again the way `make deps` starts it.
redis_restart_empty() {
    redis_stop
    scripts/deps.sh > /dev/null || say "make deps could not start Redis again"
    echo "redis.restarted.ms=$(now_ms)" >> "$RUN_DIR/run.properties"
}
port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2> /dev/null; }
# RabbitMQ: the stock broker, or every node of the cluster.
rabbitmq_stop() {
    if ((REPLICAS > 1)); then scripts/rabbitmq-cluster.sh stop-app; else rabbitmqctl -q stop_app > /dev/null; fi
}
rabbitmq_start() {
    if ((REPLICAS > 1)); then
        scripts/rabbitmq-cluster.sh start > /dev/null
    else
        rabbitmqctl -q start_app > /dev/null && rabbitmqctl -q await_startup > /dev/null
    fi
}
rabbitmq_up() {
    local name
    for name in "${RABBITMQ_PROXIES[@]}"; do port_open "${TARGET_PORT[$name]}" || return 1; done
}

# ---- the faults: fault_<scenario> applies one, heal undoes whatever any of them did ----

fault_baseline() { :; }
fault_postgres-down() { postgres_stop; }
fault_postgres-latency() { proxy postgres "delay?ms=100"; }
fault_postgres-blackhole() { proxy postgres blackhole; }
fault_redis-down() { redis_stop; }
fault_redis-latency() { proxy redis "delay?ms=50"; }
fault_rabbitmq-down() { rabbitmq_stop; }
fault_rabbitmq-latency() { proxy rabbitmq "delay?ms=100"; }
# RabbitMQ first: stopped the other way round, the writes of the seconds stop_app takes are deferred (202), every user
# then polls its 202 for the rest of the window, and no write ever meets both down (seen in a 100-user run).
fault_postgres-and-rabbitmq-down() { rabbitmq_stop && postgres_stop; }
fault_postgres-and-worker-down() { postgres_stop && stop_workers; }
# Redis and RabbitMQ first, for the same reason: with PostgreSQL stopped first, the writes of the next seconds are
# deferred and their users poll them for the whole window, so no write would meet everything down.
fault_all-down() { redis_stop && rabbitmq_stop && postgres_stop; }

# worker-kill spends the window itself: PostgreSQL down for the first half builds a backlog of deferred writes; once
# it is back and the workers have begun to apply them, kill -9 of every worker, and a restart 5 s later (heal).
fault_worker-kill() { kill_workers_while_draining "${WORKER_NAMES[@]}"; }

# worker-replica-kill: the same with one worker of several killed; the others go on draining.
fault_worker-replica-kill() { kill_workers_while_draining worker1; }

kill_workers_while_draining() {
    postgres_stop
    sleep $((FAULT_SECONDS / 2))
    postgres_start
    local completed before name
    before=$(worker_completed)
    for _ in $(seq 1 300); do
        completed=$(worker_completed)
        ((completed > before)) && break
        sleep 0.1
    done
    echo "worker.killed.backlog=$(queued_writes)" >> "$RUN_DIR/run.properties"
    echo "worker.killed.after.completed=$((completed - before))" >> "$RUN_DIR/run.properties"
    for name in "$@"; do stop_process "$name" KILL; done
    say "$* killed after applying $((completed - before)) deferred writes, $(queued_writes) still queued"
    sleep 5
}

# One API replica killed (-9) under load and started again 10 s later: HAProxy routes around it, and what it had in
# flight is replayed on another replica when that is harmless (a read, a write with its Idempotency-Key).
fault_replica-kill() {
    stop_process api1 KILL
    echo "replica.killed.ms=$(now_ms)" >> "$RUN_DIR/run.properties"
    sleep 10
    start_api 1
}

# PostgreSQL down, so that writes are deferred and wait in the work queue; then the cluster node leading that queue
# killed (-9) and started again 10 s later: nothing it had confirmed may be lost, the clients reconnect to the others.
fault_rabbitmq-node-kill() {
    postgres_stop
    sleep $((FAULT_SECONDS / 4))
    local leader
    leader=$(scripts/rabbitmq-cluster.sh leader tasks.writes.work)
    [[ -n $leader ]] || { say "no leader found for tasks.writes.work"; return 1; }
    echo "rabbitmq.killed.node=$leader" >> "$RUN_DIR/run.properties"
    echo "rabbitmq.killed.backlog=$(queued_writes)" >> "$RUN_DIR/run.properties"
    scripts/rabbitmq-cluster.sh kill "$leader"
    sleep 10
    scripts/rabbitmq-cluster.sh restart "$leader" > /dev/null
}

# Every replica stopped (SIGTERM: the graceful shutdown) and started again, one at a time, API replica i with worker
# i; the next one only once HAProxy routes to the new one.
fault_rolling-restart() {
    local i
    for ((i = 1; i <= REPLICAS; i++)); do
        stop_process "api$i" &
        local stopping=$!
        stop_process "worker$i"
        wait "$stopping"
        start_api "$i"
        start_worker "$i"
        await_ready "${API_MANAGEMENT_PORTS[i - 1]}" "${WORKER_PORTS[i - 1]}" || return 1
        for _ in $(seq 1 100); do lb_up "$i" && break; sleep 0.2; done
        say "api$i and worker$i restarted"
    done
}

# A worker stopped and PostgreSQL down: writes are deferred, and their clients give up polling (poll_limit_for). Half-way
# Redis restarts empty and PostgreSQL comes back: the journal forgot the queued writes, so the clients' next writes to
# the same tasks are applied at once. The worker comes back at the heal and finds the older writes queued.
fault_redis-restart-with-backlog() {
    stop_workers && postgres_stop
    sleep $((FAULT_SECONDS / 2))
    redis_restart_empty
    postgres_start
}

# Redis restarts empty with nothing else wrong; half-way PostgreSQL stops: the reads in between must have stored the
# fallback copies again.
fault_redis-restart-then-postgres-down() {
    redis_restart_empty
    sleep $((FAULT_SECONDS / 2))
    # From the moment it begins to stop: the users' reads of the next second or two are the ones that test the cache
    # (a user whose next write is deferred then polls it until the heal, and reads no more).
    echo "postgres.stopped.ms=$(now_ms)" >> "$RUN_DIR/run.properties"
    postgres_stop
}

# The broker forgets every definition (and every message: none is queued, PostgreSQL is up until after it), then
# PostgreSQL stops: the writes deferred now must land in the topology the services declared again.
fault_rabbitmq-reset() {
    if ((REPLICAS > 1)); then
        scripts/rabbitmq-cluster.sh reset > /dev/null
    else
        rabbitmqctl -q stop_app > /dev/null && rabbitmqctl -q reset > /dev/null && rabbitmq_start
    fi
    postgres_stop
}

# Every PostgreSQL round trip 700 ms slower each way (past the API's 1 s timeout, so a write's transaction commits
# after its answer) and nowhere to defer to: writes are answered 503 although some committed, and clients resend.
fault_resend-after-commit() { rabbitmq_stop && proxy postgres "delay?ms=700"; }

# PostgreSQL down for the whole window, longer than the journal's lifetimes (settings_for).
fault_long-outage() { postgres_stop; }

worker_completed() {
    for port in "${WORKER_PORTS[@]}"; do curl -sf --max-time 2 "localhost:$port/q/metrics" || true; done \
        | awk '/^tasks_worker_deferred_writes_total\{.*outcome="completed"/ { sub(/ # .*$/, ""); n += $NF } END { print n + 0 }'
}

# report_exit NAME: a service that ended by itself (the suite forgets the pid of one it stops) is said, with its exit
# status: write-worker's consumer watchdog ends one whose RabbitMQ channels stay lost while the broker answers.
report_exit() {
    [[ -n ${PID[$1]:-} ]] || return 0
    local status=0
    wait "${PID[$1]}" 2> /dev/null || status=$?
    PID[$1]=""
    say "$1 had exited by itself (status $status, log $SUITE_DIR/$1.log): starting it again"
    if [[ -n $RUN_DIR ]]; then echo "exited.$1=$status" >> "$RUN_DIR/run.properties"; fi
}

# Puts back everything any fault may have changed; safe to call at any time, any number of times.
heal() {
    local name mode i restarted=()
    for name in "${PROXIES[@]}"; do
        alive "proxy-$name" || continue
        mode=$(curl -sf --max-time 5 "localhost:${CONTROL_PORT[$name]}/mode" || echo unknown)
        proxy_call "$name" pass || say "could not reset the $name proxy"
        # A black hole swallowed bytes of open connections: reset them, as TCP's retransmission timeout would have.
        if [[ $mode == blackhole ]]; then proxy_call "$name" close-connections || true; fi
    done
    postgres_start || say "could not start PostgreSQL"
    if ! rabbitmq_up; then rabbitmq_start || say "could not start RabbitMQ"; fi
    # Redis (and whatever else is still missing) the way `make deps` starts it.
    if ! redis-cli -p 6379 ping > /dev/null 2>&1 || ! rabbitmq_up || ! pg_isready -q -h 127.0.0.1 -p 5432; then
        scripts/deps.sh > /dev/null || say "make deps failed: check PostgreSQL, Redis and RabbitMQ"
    fi
    ((WANTED)) || return 0
    for ((i = 1; i <= REPLICAS; i++)); do
        if ! alive "api$i"; then report_exit "api$i"; start_api "$i"; restarted+=("${API_MANAGEMENT_PORTS[i - 1]}"); fi
        if ! alive "worker$i"; then report_exit "worker$i"; start_worker "$i"; restarted+=("${WORKER_PORTS[i - 1]}"); fi
    done
    if ((REPLICAS > 1)) && ! alive lb; then start_lb; fi
    if ((${#restarted[@]} > 0)); then await_ready "${restarted[@]}"; fi
}

cleanup() {
    trap - EXIT INT TERM
    WANTED=0
    stop_process gatling
    heal
    for name in lb "${API_NAMES[@]}" "${WORKER_NAMES[@]}"; do stop_process "$name"; done
    for name in "${PROXIES[@]}"; do stop_process "proxy-$name"; done
}
trap cleanup EXIT
trap 'say "interrupted: restoring"; exit 130' INT TERM

# scrape MOMENT: every replica's metrics, one file per service (the report sums the series of all replicas).
scrape() {
    for port in "${API_MANAGEMENT_PORTS[@]}"; do curl -sf --max-time 5 "localhost:$port/q/metrics" || true; done \
        > "$RUN_DIR/api-$1.prom"
    for port in "${WORKER_PORTS[@]}"; do curl -sf --max-time 5 "localhost:$port/q/metrics" || true; done \
        > "$RUN_DIR/worker-$1.prom"
}

now_ms() { date +%s%3N; }

# sleep_until EPOCH_MS: sleeps until then, or not at all if it is past.
sleep_until() {
    local left=$(($1 - $(now_ms)))
    if ((left > 0)); then sleep "$(printf '%d.%03d' $((left / 1000)) $((left % 1000)))"; fi
}

# ---- one scenario ----

# The proxies and both services, started once for the whole suite (or again if a scenario left one dead): after the
# first scenario the JVMs are warm, as a service in production is, and no scenario pays for their start.
ensure_stack() {
    mkdir -p "$SUITE_DIR"
    local fresh=0 wanted
    wanted=$(settings_for "$1")
    if [[ $wanted != "$STACK_SETTINGS" ]]; then
        say "restarting the services with the settings of $1: ${wanted:-the defaults}"
        WANTED=0
        for name in "${API_NAMES[@]}" "${WORKER_NAMES[@]}"; do stop_process "$name"; done
        STACK_SETTINGS=$wanted
    fi
    alive proxy-postgres || start_proxies || die "the fault proxies did not start (logs in $SUITE_DIR)"
    for ((i = 1; i <= REPLICAS; i++)); do
        if ! alive "api$i"; then
            ports_free "${API_PORTS[i - 1]}" "${API_MANAGEMENT_PORTS[i - 1]}" \
                || die "api-service cannot listen on :${API_PORTS[i - 1]} and :${API_MANAGEMENT_PORTS[i - 1]}"
            start_api "$i"
            fresh=1
        fi
        if ! alive "worker$i"; then
            ports_free "${WORKER_PORTS[i - 1]}" || die "write-worker cannot listen on :${WORKER_PORTS[i - 1]}"
            start_worker "$i"
        fi
    done
    if ((REPLICAS > 1)) && ! alive lb; then
        ports_free $API_PORT $LB_STATS_PORT || die "HAProxy cannot listen on :$API_PORT and :$LB_STATS_PORT"
        start_lb
    fi
    WANTED=1
    await_ready "${API_MANAGEMENT_PORTS[@]}" "${WORKER_PORTS[@]}" \
        || die "the services did not become ready (logs in $SUITE_DIR)"
    if ((REPLICAS > 1)); then
        for _ in $(seq 1 100); do lb_up 1 && break; sleep 0.2; done
        lb_up 1 || die "HAProxy does not route to api1 (logs in $SUITE_DIR)"
    fi
    if ((fresh && WARM_UP > 0)); then
        # On 2 cores a just-started api-service under this load runs at a third of its speed until the JIT has
        # compiled the hot paths, about a minute (measured: 100 users, 250 -> 850 req/s over the first 60 s): warm
        # it up with the same traffic first, unmeasured, so that the first scenario does not judge a cold JVM.
        say "warming the services up: $USERS users for $WARM_UP s"
        gatling "$SUITE_DIR/warm-up" "$USERS" "$WARM_UP" "http://localhost:$API_PORT" > "$SUITE_DIR/warm-up.log" 2>&1 \
            || say "the warm-up reported errors: $SUITE_DIR/warm-up.log"
        wait_settled "$SETTLE_SECONDS" || true
    fi
}

run_scenario() {
    local scenario=$1 started id
    id=$(now_ms)
    RUN_DIR=$SUITE_DIR/$scenario-$id
    mkdir -p "$RUN_DIR"
    RUN_DIRS+=("$RUN_DIR")
    say "$scenario: $USERS users for $(duration_for "$scenario") s, fault at $FAULT_AT s for $FAULT_SECONDS s (run folder $RUN_DIR)"
    local duration
    duration=$(duration_for "$scenario")
    printf 'scenario=%s\nusers=%s\nduration=%s\n' "$scenario" "$USERS" "$duration" > "$RUN_DIR/run.properties"

    ensure_stack "$scenario"
    scrape before
    echo "dlq.before=$(dead_letters)" >> "$RUN_DIR/run.properties"

    POLL_LIMIT=$(poll_limit_for "$scenario") start_process gatling "$RUN_DIR/gatling.log" gatling "$RUN_DIR" \
        "$USERS" "$duration" "http://localhost:$API_PORT" "$id"
    # Maven and Gatling take a few seconds to start; the fault is timed from the users' start.
    await_load_start "$RUN_DIR" "${PID[gatling]}" || { say "Gatling ended early: $RUN_DIR/gatling.log"; return 1; }
    started=$(now_ms)
    sleep "$FAULT_AT"

    scrape fault
    fault_started=$(now_ms)
    echo "fault.start.ms=$fault_started" >> "$RUN_DIR/run.properties"
    say "$scenario: fault on"
    "fault_$scenario" || say "$scenario: applying the fault failed"
    if [[ $scenario != worker-kill && $scenario != worker-replica-kill ]]; then
        # Once the breakers have had time to open: the API's own latency "while down" is measured from here. A fault
        # that spends part of the window itself (a change half-way) has used some of that time already.
        sleep_until $((fault_started + FAULT_SECONDS * 1000 / 2))
        scrape down
        sleep_until $((fault_started + FAULT_SECONDS * 1000))
    fi
    scrape heal
    heal
    echo "fault.end.ms=$(now_ms)" >> "$RUN_DIR/run.properties"
    say "$scenario: healed after $((($(now_ms) - started) / 1000 - FAULT_AT)) s; load continues"

    wait "${PID[gatling]}" || say "Gatling reported failed requests (the expectations below say which matter)"
    PID[gatling]=""
    say "$scenario: waiting for the deferred writes to settle (at most $SETTLE_SECONDS s)"
    wait_settled "$SETTLE_SECONDS" || true
    echo "dlq.after=$(dead_letters)" >> "$RUN_DIR/run.properties"
    scrape after
    loadtest_java dev.resilient.loadtest.LedgerVerifier "$RUN_DIR" > "$RUN_DIR/ledger-check.txt" || true
    loadtest_java dev.resilient.loadtest.DeferredWritesCheck "$RUN_DIR" "http://localhost:$API_PORT" \
        > "$RUN_DIR/operations-check.txt" || true

    loadtest_java dev.resilient.loadtest.chaos.ChaosReport scenario "$scenario" "$RUN_DIR" "$SUMMARY" \
        "$(dirname "$SUMMARY")/chaos/$( ((REPLICAS > 1)) && echo replicated/)$scenario.svg"
}

# ---- main ----

[[ -f $API_JAR && -f $WORKER_JAR && -d $PROXY_CLASSES ]] || make --no-print-directory build > /dev/null
make --no-print-directory deps > /dev/null
loadtest_classpath > /dev/null # once, so no scenario's timing includes compiling the simulation

SUITE=("$@")
RUN_DIRS=()
mkdir -p "$(dirname "$SUMMARY")"
failed=()
# shellcheck disable=SC2016 # the backticks are Markdown (code), not a command substitution
printf '\n## Chaos run of %s\n\n`%sUSERS=%s DURATION=%s RAMP_UP=%s FAULT_AT=%s FAULT_SECONDS=%s loadtest/chaos.sh %s` on %s (%s cores)\n' \
    "$(date -u '+%Y-%m-%d %H:%M UTC')" "$( ((REPLICAS > 1)) && echo "REPLICAS=$REPLICAS ")" "$USERS" "$DURATION" \
    "$RAMP_UP" "$FAULT_AT" "$FAULT_SECONDS" "$*" "$(hostname)" "$(nproc)" >> "$SUMMARY"
for scenario in "${SUITE[@]}"; do
    run_scenario "$scenario" || failed+=("$scenario")
    heal
done
if ((${#SUITE[@]} > 1)); then
    loadtest_java dev.resilient.loadtest.chaos.ChaosReport overview "$SUMMARY" "${RUN_DIRS[@]}" || true
fi
if ((${#failed[@]} > 0)); then
    say "FAILED: ${failed[*]} (details in $SUMMARY)"
    exit 1
fi
say "every scenario passed (details in $SUMMARY)"
