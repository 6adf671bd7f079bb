#!/usr/bin/env bash
# scripts/rabbitmq-cluster.sh - a three-node RabbitMQ cluster on this machine, beside the stock broker (which stays
# on 5672 and stays the default). Why it is built this way: docs/adr/0001-replicated-topology.md.
#
# Usage: scripts/rabbitmq-cluster.sh start | stop | status | addresses | kill N | restart N | stop-app | reset
#                                    | leader QUEUE | ctl ARGS...
#   start      starts the nodes (or their RabbitMQ application) that are not running and joins a fresh node to the
#              first; waits until all are in
#   stop       stops every node (their data stays, so the next start finds the cluster and its queues)
#   status     the cluster as the first node sees it, and each quorum queue's leader and members
#   addresses  the nodes' AMQP addresses, comma-separated (the services' RABBITMQ_ADDRESSES)
#   kill N     kill -9 of node N (its Erlang VM): what a crashed machine looks like to the others
#   restart N  starts node N again after a kill or stop, and waits until it is back in the cluster
#   stop-app   stops the RabbitMQ application of every node, as `rabbitmqctl stop_app` does on one broker
#   reset      the cluster started again from nothing: every definition and message gone
#   leader Q   the number of the node leading quorum queue Q
#   ctl ARGS   rabbitmqctl ARGS on the first node that is running (for the load and chaos scripts)
#
# Environment:
#   RABBITMQ_CLUSTER_NODES  number of nodes (3)
#   RABBITMQ_CLUSTER_PORT   node N takes AMQP port PORT+N on 127.0.0.1 and distribution port PORT+N+20000 (5672)
#   RABBITMQ_CLUSTER_DIR    where each node keeps its data, logs, configuration and pid file (/var/lib/rabbitmq/cluster)
#
# The nodes run as the rabbitmq user through Debian's wrappers, so they share the stock broker's Erlang cookie and
# its CLI can reach them. Every command names its node: one without -n would reach the stock broker.
set -euo pipefail

NODES=${RABBITMQ_CLUSTER_NODES:-3}
PORT=${RABBITMQ_CLUSTER_PORT:-5672}
DIR=${RABBITMQ_CLUSTER_DIR:-/var/lib/rabbitmq/cluster}
PATH=$PATH:/usr/sbin:/sbin

log() { printf '[rabbitmq-cluster] %s\n' "$*"; }
node() { echo "rmq$1@localhost"; }
pid_file() { echo "$DIR/rmq$1/rmq$1.pid"; }

# in_env N COMMAND...: COMMAND with node N's environment: its own configuration and plugins files, so that nothing of
# the stock broker's (its listener on 5672, its Prometheus plugin on 15692) is read by the node.
in_env() {
    local n=$1 base="$DIR/rmq$1"
    shift
    env RABBITMQ_NODENAME="$(node "$n")" RABBITMQ_NODE_PORT=$((PORT + n)) RABBITMQ_DIST_PORT=$((PORT + n + 20000)) \
        RABBITMQ_MNESIA_BASE="$base/mnesia" RABBITMQ_LOG_BASE="$base/log" RABBITMQ_PID_FILE="$(pid_file "$n")" \
        RABBITMQ_CONFIG_FILE="$base/rabbitmq.conf" RABBITMQ_CONFIG_FILES="$base/conf.d" \
        RABBITMQ_ADVANCED_CONFIG_FILE="$base/advanced.config" RABBITMQ_ENABLED_PLUGINS_FILE="$base/enabled_plugins" \
        "$@"
}

ctl() { local n=$1; shift; in_env "$n" rabbitmqctl -q -n "$(node "$n")" "$@"; }

running() { ctl "$1" ping > /dev/null 2>&1; }
# alive N: node N's Erlang VM runs (from its pid file: quicker than the CLI, and fine for a node that just died)
alive() { [[ -f $(pid_file "$1") ]] && kill -0 "$(cat "$(pid_file "$1")")" 2> /dev/null; }
app_running() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$((PORT + $1))" 2> /dev/null; }

prepare() {
    local n=$1 base="$DIR/rmq$1"
    mkdir -p "$base/mnesia" "$base/log" "$base/conf.d"
    cat > "$base/rabbitmq.conf" <<EOF
listeners.tcp.local = 127.0.0.1:$((PORT + n))
# a quorum queue's leader on the node with the fewest leaders, not on the node of the connection that declared it
queue_leader_locator = balanced
EOF
    echo '[].' > "$base/enabled_plugins"
    # A wait queue's expired message moves on to the work queue (at-least-once dead-lettering) once that queue's leader
    # confirms it; one whose confirm was lost with a node is sent again after this long (3 min by default), and the
    # write waits all that time. A duplicate is harmless: the worker applies an operation once.
    echo '[{rabbit, [{dead_letter_worker_publisher_confirm_timeout, 10000}]}].' > "$base/advanced.config"
    chown -R rabbitmq:rabbitmq "$DIR"
}

start_node() {
    local n=$1
    prepare "$n"
    log "starting $(node "$n") on 127.0.0.1:$((PORT + n))"
    in_env "$n" rabbitmq-server -detached
    # a node restarting alone waits for its peers; `wait` returns once its application runs
    ctl "$n" wait "$(pid_file "$n")" --timeout 120 > /dev/null
}

join() {
    ctl "$1" stop_app && ctl "$1" reset && ctl "$1" join_cluster "$(node 1)" && ctl "$1" start_app
}

member() { ctl 1 cluster_status --formatter json | grep -q "\"$(node "$1")\""; }

start() {
    ((EUID == 0)) || { echo "rabbitmq-cluster: needs root (it starts the nodes as the rabbitmq user)" >&2; exit 1; }
    for n in $(seq 1 "$NODES"); do
        if ! running "$n"; then
            start_node "$n" &
        elif ! app_running "$n"; then
            ctl "$n" start_app &
        fi
    done
    wait
    for n in $(seq 2 "$NODES"); do
        if ! member "$n"; then
            log "joining $(node "$n") to $(node 1)"
            # the CLI logs the node's transient errors while it joins: kept in a file, shown if the join fails
            if ! join "$n" 2>> "$DIR/cli.log"; then
                tail -n 20 "$DIR/cli.log" >&2
                echo "rabbitmq-cluster: $(node "$n") could not join $(node 1) (all of it: $DIR/cli.log)" >&2
                exit 1
            fi
        fi
    done
    ctl 1 await_online_nodes "$NODES" --timeout 120
    log "$NODES nodes running: $(addresses)"
}

stop() {
    for n in $(seq 1 "$NODES"); do
        if running "$n"; then
            log "stopping $(node "$n")"
            ctl "$n" stop "$(pid_file "$n")" > /dev/null || true
        fi
    done
}

stop_app() {
    for n in $(seq 1 "$NODES"); do
        if running "$n"; then ctl "$n" stop_app > /dev/null; fi
    done
}

# The node leading quorum queue $1 (its number), from any running node.
leader() {
    first_alive_ctl list_queues name leader | awk -v q="$1" '$1 == q { sub(/^rmq/, "", $2); sub(/@.*/, "", $2); print $2 }'
}

first_alive_ctl() {
    for n in $(seq 1 "$NODES"); do
        if alive "$n"; then
            ctl "$n" "$@"
            return
        fi
    done
    echo "rabbitmq-cluster: no node is running" >&2
    return 1
}

addresses() {
    local list=()
    for n in $(seq 1 "$NODES"); do list+=("127.0.0.1:$((PORT + n))"); done
    (IFS=,; echo "${list[*]}")
}

case ${1:-} in
    start) start ;;
    stop) stop ;;
    status)
        ctl 1 cluster_status
        ctl 1 list_queues name type leader members online
        ;;
    addresses) addresses ;;
    kill)
        [[ ${2:-} =~ ^[0-9]+$ ]] || { echo "usage: $0 kill N" >&2; exit 2; }
        log "kill -9 of $(node "$2") (pid $(cat "$(pid_file "$2")"))"
        kill -9 "$(cat "$(pid_file "$2")")"
        ;;
    restart)
        [[ ${2:-} =~ ^[0-9]+$ ]] || { echo "usage: $0 restart N" >&2; exit 2; }
        running "$2" || start_node "$2"
        ctl 1 await_online_nodes "$NODES" --timeout 120
        ;;
    stop-app) stop_app ;;
    reset)
        stop
        log "removing every node's data"
        rm -rf "$DIR"/rmq*/mnesia
        start
        ;;
    leader)
        [[ -n ${2:-} ]] || { echo "usage: $0 leader QUEUE" >&2; exit 2; }
        leader "$2"
        ;;
    ctl)
        shift
        first_alive_ctl "$@"
        ;;
    *)
        sed -n '4,23p' "$0" >&2
        exit 2
        ;;
esac
