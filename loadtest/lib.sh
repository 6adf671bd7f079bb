# shellcheck shell=bash
# loadtest/lib.sh - what the load, chaos and bench scripts share; sourced, not run. Expects the repository root as
# the working directory.
PATH=$PATH:/usr/sbin:/sbin
source scripts/local-env.sh
# The load's clients authenticate like any client: TASKS_TOKEN.
source loadtest/token-env.sh
MVNW=(./mvnw -B -q -f loadtest/pom.xml)

say() { printf '[%s] %s\n' "${SAY_AS:-load}" "$*"; }

# ready PORT: the service whose management interface is on PORT reports ready.
ready() { curl -sf -o /dev/null --max-time 2 "localhost:$1/q/health/ready"; }

# rabbitmq_ctl ARGS...: rabbitmqctl on the broker the services use: the stock one, or with RABBITMQ_CLUSTER=1 the
# first running node of scripts/rabbitmq-cluster.sh.
rabbitmq_ctl() {
    if [[ ${RABBITMQ_CLUSTER:-0} == 1 ]]; then scripts/rabbitmq-cluster.sh ctl "$@"; else rabbitmqctl "$@"; fi
}

# Messages waiting in the deferred-write queues (every tasks.writes.* queue but the dead-letter queue).
queued_writes() {
    rabbitmq_ctl -q list_queues name messages 2> /dev/null \
        | awk '$1 ~ /^tasks\.writes\./ && $1 != "tasks.writes.dead" { n += $2 } END { print n + 0 }'
}

dead_letters() {
    rabbitmq_ctl -q list_queues name messages 2> /dev/null \
        | awk '$1 == "tasks.writes.dead" { n = $2 } END { print n + 0 }'
}

# wait_settled SECONDS: until the deferred writes are applied (queues empty three seconds in a row); false on timeout.
wait_settled() {
    local settled=0 waiting=0
    for _ in $(seq 1 "$1"); do
        waiting=$(queued_writes)
        if [[ $waiting == 0 ]]; then settled=$((settled + 1)); else settled=0; fi
        ((settled >= 3)) && return 0
        sleep 1
    done
    say "still $waiting deferred writes queued after $1 s"
    return 1
}

# loadtest_classpath: the classpath of loadtest/ (its classes, the simulation and every dependency). Maven compiles
# and resolves it only when the pom or a source changed since the last time, so a run does not pay Maven's start-up
# per scenario (about 20 s on this 2-core machine); the result is cached in loadtest/target/classpath.txt.
loadtest_classpath() {
    local cached=$PWD/loadtest/target/classpath.txt
    if [[ ! -s $cached || ! -d loadtest/target/test-classes \
        || -n $(find loadtest/pom.xml loadtest/src -newer "$cached" -print -quit) ]]; then
        "${MVNW[@]}" test-compile dependency:build-classpath -Dmdep.outputFile="$cached" -Dmdep.includeScope=test >&2
        touch "$cached" # newer than every source it was built from, even when Maven left the file as it was
    fi
    printf '%s' "$PWD/loadtest/target/test-classes:$PWD/loadtest/target/classes:$(cat "$cached")"
}

# loadtest_java CLASS ARGS...: runs a class of loadtest/ (a report, the ledger verifier) in its own JVM; returns its
# exit status.
loadtest_java() {
    local classpath
    classpath=$(loadtest_classpath)
    java -cp "$classpath" "$@"
}

# gatling RUN_DIR USERS DURATION BASE_URL [RUN_ID]: the simulation, with its ledger, request log and HTML report in
# RUN_DIR; run ids prefix the task names (lt-<id>-) so the ledger check finds this run's rows. RAMP_UP (seconds,
# default 0) starts the users over that time instead of all at once; POLL_LIMIT (seconds, default 120) is how long a
# user polls a 202 before giving up on it. Gatling's own main class, as gatling:test runs
# it (the same JVM option), without Maven: `./mvnw -f loadtest/pom.xml gatling:test -Dusers=...` does the same.
gatling() {
    local dir=$1 users=$2 duration=$3 url=$4 id=${5:-$(date +%s%3N)} classpath
    classpath=$(loadtest_classpath)
    java --add-opens=java.base/java.lang=ALL-UNNAMED -cp "$classpath" \
        -Dusers="$users" -Dduration="$duration" -DrampUp="${RAMP_UP:-0}" -DpollLimit="${POLL_LIMIT:-120}" \
        -DrunId="$id" -Dledger="$dir" -DbaseUrl="$url" \
        io.gatling.app.Gatling --simulation dev.resilient.loadtest.TasksSimulation --results-folder "$dir/gatling"
}

# await_load_start RUN_DIR PID: until the simulation's users start (its "started" file), or false if PID ended first.
await_load_start() {
    until [[ -s $1/started ]]; do
        kill -0 "$2" 2> /dev/null || return 1
        sleep 0.1
    done
}

# ensure_services LOG: uses api-service and write-worker already running (management on :9000 and :9001), or starts them
# (scripts/run.sh, output in LOG); STARTED_PID is then the pid to stop (stop_started_services), else empty.
STARTED_PID=""
ensure_services() {
    ready 9000 && ready 9001 && return 0
    make --no-print-directory deps build > /dev/null
    say "starting api-service and write-worker (log: $1)"
    scripts/run.sh > "$1" 2>&1 &
    STARTED_PID=$!
    for _ in $(seq 1 120); do ready 9000 && ready 9001 && return 0; sleep 1; done
    say "the services did not become ready"
    return 1
}

stop_started_services() {
    if [[ -n $STARTED_PID ]]; then
        say "stopping the services started for the run"
        kill -TERM "$STARTED_PID" 2> /dev/null || true
        wait "$STARTED_PID" 2> /dev/null || true
        STARTED_PID=""
    fi
}

# footprint [LOG]: each service's resident memory now and at its peak (VmRSS, VmHWM of /proc/PID/status) and, from
# LOG (the services' output when ensure_services started them), how long its start-up took as Quarkus reports it.
# `make load` prints it after the load: the figures docs/operations.md (Footprint) quotes and the Kubernetes resources are sized from.
footprint() {
    local name pid rss peak started
    for name in api-service write-worker; do
        pid=$(pgrep -f "$name/target/quarkus-app/quarkus-run.jar" | head -n 1) || true
        if [[ -z $pid ]]; then
            say "footprint: $name is not running from $name/target/quarkus-app"
            continue
        fi
        rss=$(awk '/^VmRSS:/ { printf "%d", $2 / 1024 }' "/proc/$pid/status")
        peak=$(awk '/^VmHWM:/ { printf "%d", $2 / 1024 }' "/proc/$pid/status")
        started=""
        if [[ -n ${1:-} && -f $1 ]]; then
            local tag=api
            [[ $name == write-worker ]] && tag=worker
            started=$(grep -F "[$tag]" "$1" | grep -oE 'started in [0-9.]+s' | head -n 1 || true)
        fi
        say "footprint: $name pid $pid: resident ${rss} MiB, peak ${peak} MiB${started:+, $started}"
    done
}

# cpu_ticks: "<process> <pid> <cpu ticks so far>" for each process of the stack (user + system time from /proc), and
# the whole machine's busy ticks as "machine 0 <ticks>"; the first line is the time of the snapshot in ms. Two
# snapshots give each one's share of the CPU in between (cpu_split).
cpu_ticks() {
    local name pid
    local -A patterns=(
        [api-service]='-f api-service/target/quarkus-app/quarkus-run.jar'
        [write-worker]='-f write-worker/target/quarkus-app/quarkus-run.jar'
        [gatling]='-f io.gatling.app'
        [wrk]='-x wrk'
        [postgresql]='-x postgres'
        [redis]='-x redis-server'
        [rabbitmq]='-x beam.smp'
        [haproxy]='-x haproxy')
    date +%s%3N
    for name in "${!patterns[@]}"; do
        # shellcheck disable=SC2086 # the pattern holds pgrep's option and argument
        for pid in $(pgrep ${patterns[$name]}); do
            # fields 14 and 15 of /proc/PID/stat (after the command name in parentheses): utime, stime
            awk -v name="$name" -v pid="$pid" '{ sub(/^.*\) /, ""); print name, pid, $12 + $13 }' \
                "/proc/$pid/stat" 2> /dev/null || true
        done
    done
    awk '/^cpu / { print "machine", 0, $2 + $3 + $4 + $7 + $8 }' /proc/stat
}

# cpu_split BEFORE AFTER [COUNT]: each process's CPU between two cpu_ticks snapshots, in % of one core (200 % = both
# cores here); a process that started in between counts with all its CPU (PostgreSQL's backends for connections made
# since), one that ended in between is left out. With COUNT (the requests or writes served in between), also the CPU
# per one of them, in ms.
cpu_split() {
    local hz
    hz=$(getconf CLK_TCK)
    awk -v hz="$hz" -v count="${3:-0}" '
        FNR == 1 { t[FILENAME == ARGV[1] ? 0 : 1] = $1; next }
        FILENAME == ARGV[1] { before[$1 " " $2] = $3; next }
        { used[$1] += $3 - (($1 " " $2) in before ? before[$1 " " $2] : 0) }
        END {
            seconds = (t[1] - t[0]) / 1000
            for (name in used) {
                printf "%-13s %5.0f %%", name, used[name] / hz / seconds * 100
                if (count > 0) printf " %.2f", used[name] / hz * 1000 / count
                printf "\n"
            }
        }' "$1" "$2" | sort -k2 -rn
}
