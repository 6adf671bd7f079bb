#!/usr/bin/env bash
# scripts/deps.sh - make sure PostgreSQL, Redis and RabbitMQ are up and that the
# application's database role and databases exist. Called by `make deps`.
#
# Idempotent: when everything is already in place it prints one line per
# dependency and changes nothing. A dependency that is down on this machine
# (host 127.0.0.1, localhost or ::1) is started, and installed with apt-get
# first if it is missing and we are root or have password-less sudo. Every
# problem is reported on stderr, with the command that fixes it, and the script
# exits 1 only after all three dependencies have been checked.
#
# Configuration (the same variables the services read):
#   DB_HOST DB_PORT DB_USER DB_PASSWORD DB_NAME   127.0.0.1 5432 tasks tasks tasks
#   DB_EXTRA_NAMES     more databases to create (space/comma separated): tasks_dev
#   REDIS_HOST REDIS_PORT                         127.0.0.1 6379
#   RABBITMQ_HOST RABBITMQ_PORT                   127.0.0.1 5672
#   RABBITMQ_METRICS_PORT  RabbitMQ's prometheus plugin (enabled when missing): 15692
#   PGADMIN_USER PGADMIN_PASSWORD  admin login for creating the role and
#                      databases over TCP (postgres, no password)
#   DEPS_WAIT_SECONDS  how long to wait for a server we started: 60
#   REPLICAS           more than 1: also HAProxy (installed) and the three-node RabbitMQ cluster of
#                      scripts/rabbitmq-cluster.sh (started), what `make run REPLICAS=N` and the suites use
set -Eeuo pipefail
trap 'echo "deps.sh: unexpected failure at line $LINENO: $BASH_COMMAND" >&2' ERR

# rabbitmq-server and runuser live in /usr/sbin, which is not in every user's PATH.
PATH=$PATH:/usr/sbin:/sbin

DB_HOST=${DB_HOST:-127.0.0.1}
DB_PORT=${DB_PORT:-5432}
DB_USER=${DB_USER:-tasks}
DB_PASSWORD=${DB_PASSWORD:-tasks}
DB_NAME=${DB_NAME:-tasks}
DB_EXTRA_NAMES=${DB_EXTRA_NAMES-tasks_dev} # set it to "" for no extra database
PGADMIN_USER=${PGADMIN_USER:-postgres}
REDIS_HOST=${REDIS_HOST:-127.0.0.1}
REDIS_PORT=${REDIS_PORT:-6379}
RABBITMQ_HOST=${RABBITMQ_HOST:-127.0.0.1}
RABBITMQ_PORT=${RABBITMQ_PORT:-5672}
RABBITMQ_METRICS_PORT=${RABBITMQ_METRICS_PORT:-15692}
WAIT_SECONDS=${DEPS_WAIT_SECONDS:-60}

# Per-dependency facts used by the generic code in ensure().
declare -A TITLE=([postgres]=PostgreSQL [redis]=Redis [rabbitmq]=RabbitMQ)
declare -A PACKAGE=([postgres]=postgresql [redis]=redis-server [rabbitmq]=rabbitmq-server)
declare -A VARS=([postgres]=DB_HOST/DB_PORT [redis]=REDIS_HOST/REDIS_PORT [rabbitmq]=RABBITMQ_HOST/RABBITMQ_PORT)
declare -A LOGS=([postgres]=/var/log/postgresql/ [redis]=/var/log/redis/ci.log [rabbitmq]=/var/log/rabbitmq/)
declare -A UP=()   # UP[svc]=1 once the dependency answers

problems=0         # number of problems reported so far
apt_updated=0      # apt-get update runs at most once
HAVE_ROOT=0        # 1 if we can run commands as root ...
ROOT=()            # ... by prefixing them with this (empty when we are root)

# --- small helpers ----------------------------------------------------------

say() { printf '%s\n' "$*"; }

# problem LINE...: report a problem on stderr (one argument per line); the
# script carries on so that every problem is shown, and exits 1 at the end.
problem() {
    problems=$((problems + 1))
    printf '%s\n' "$@" >&2
}

# status SERVICE ADDRESS TEXT, e.g. "postgres  127.0.0.1:5432  up"
status() { printf '%-9s %-15s %s\n' "$1" "$2" "$3"; }

# addr HOST PORT -> host:port, or [host]:port for IPv6 literals
addr() {
    if [[ $1 == *:* ]]; then printf '[%s]:%s' "$1" "$2"; else printf '%s:%s' "$1" "$2"; fi
}

is_local() {
    case $1 in
        127.0.0.1 | localhost | ::1) return 0 ;;
        *) return 1 ;;
    esac
}

have() { command -v "$1" >/dev/null 2>&1; }

# tcp_open HOST PORT: does something accept TCP connections there? (2 s max)
tcp_open() {
    # shellcheck disable=SC2016 # $0 and $1 are expanded by the inner bash
    timeout 2 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$1" "$2" 2>/dev/null
}

# run_quietly COMMAND...: run it, showing its output only if it fails.
run_quietly() {
    local out rc=0
    out=$("$@" 2>&1) || rc=$?
    if ((rc != 0)); then
        printf '  "%s" failed (exit %d):\n' "$*" "$rc" >&2
        printf '%s\n' "$out" | tail -n 20 | sed 's/^/    /' >&2
    fi
    return "$rc"
}

# wait_until SECONDS COMMAND...: poll COMMAND every second until it succeeds.
wait_until() {
    local deadline=$((SECONDS + $1))
    shift
    until "$@"; do
        if ((SECONDS >= deadline)); then return 1; fi
        sleep 1
    done
}

# Decide once whether (and how) we can run things as root.
detect_root() {
    if ((EUID == 0)); then
        HAVE_ROOT=1
    elif have sudo && sudo -n true 2>/dev/null; then
        HAVE_ROOT=1
        ROOT=(sudo -n)
    fi
}

# apt_install PACKAGE...: install with apt-get if we can; fails otherwise.
apt_install() {
    if ((!HAVE_ROOT)) || ! have apt-get; then return 1; fi
    if ((apt_updated == 0)); then
        say "running apt-get update ..."
        run_quietly "${ROOT[@]}" apt-get update -q || return 1
        apt_updated=1
    fi
    say "installing $* with apt-get (this can take a minute) ..."
    run_quietly "${ROOT[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends "$@"
}

# --- PostgreSQL ---------------------------------------------------------------

postgres_up() {
    if have pg_isready; then
        timeout 5 pg_isready -q -h "$DB_HOST" -p "$DB_PORT" -t 2
    else
        tcp_open "$DB_HOST" "$DB_PORT"
    fi
}

postgres_installed() {
    have pg_ctlcluster && compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null
}

# Start the local cluster(s) configured for DB_PORT (Debian postgresql-common).
postgres_start() {
    local version cluster port state owner _ found=0

    # The postgresql package normally creates a "main" cluster; make one if not.
    if ! compgen -G '/etc/postgresql/*/*/postgresql.conf' >/dev/null; then
        version=$(find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -V | tail -n 1)
        if ((!HAVE_ROOT)); then
            problem "PostgreSQL $version is installed but has no cluster. Create and start one:" \
                "  sudo pg_createcluster -p $DB_PORT $version main" \
                "  sudo pg_ctlcluster --skip-systemctl-redirect $version main start"
            return 1
        fi
        say "creating PostgreSQL cluster $version/main on port $DB_PORT ..."
        run_quietly "${ROOT[@]}" pg_createcluster -p "$DB_PORT" "$version" main || return 1
    fi

    # pg_lsclusters -h: "VERSION CLUSTER PORT STATUS OWNER DATADIR LOGFILE"
    while read -r version cluster port state owner _; do
        if [[ $port != "$DB_PORT" ]]; then continue; fi
        found=1
        if [[ $state != down* ]]; then continue; fi # online: just wait for it below
        if ((HAVE_ROOT)); then
            run_quietly "${ROOT[@]}" pg_ctlcluster --skip-systemctl-redirect "$version" "$cluster" start || return 1
        elif [[ $(id -un) == "$owner" ]]; then
            run_quietly pg_ctlcluster --skip-systemctl-redirect "$version" "$cluster" start || return 1
        else
            problem "PostgreSQL is not running at $(addr "$DB_HOST" "$DB_PORT") and starting it needs root. Run:" \
                "  sudo pg_ctlcluster --skip-systemctl-redirect $version $cluster start"
            return 1
        fi
    done < <(pg_lsclusters -h)

    if ((!found)); then
        problem "No local PostgreSQL cluster is configured for port $DB_PORT. Clusters (pg_lsclusters):" \
            "$(pg_lsclusters 2>&1 | sed 's/^/  /')" \
            "  Point DB_PORT at one of them, or create one: sudo pg_createcluster -p $DB_PORT VERSION NAME"
        return 1
    fi
}

# --- Redis --------------------------------------------------------------------

redis_up() {
    local reply
    if have redis-cli; then
        reply=$(timeout 3 redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping 2>/dev/null) || return 1
        [[ $reply == PONG ]]
    else
        # No redis-cli: speak the protocol by hand over bash's /dev/tcp.
        # shellcheck disable=SC2016 # expanded by the inner bash
        timeout 2 bash -c 'exec 3<>"/dev/tcp/$0/$1" && printf "PING\r\n" >&3 &&
            IFS= read -r reply <&3 && [[ $reply == +PONG* ]]' "$REDIS_HOST" "$REDIS_PORT" 2>/dev/null
    fi
}

redis_installed() { have redis-server; }

redis_start() {
    local dir=/var/lib/redis log=/var/log/redis/ci.log
    local -a as=("${ROOT[@]}")
    if ((HAVE_ROOT)); then
        run_quietly "${ROOT[@]}" mkdir -p "$dir" "${log%/*}" || return 1
    else
        # Without root, run it as ourselves with files in a directory we own.
        dir=${TMPDIR:-/tmp}
        log=$dir/redis-$(id -un).log
        as=()
    fi
    # No persistence on a development machine (the chaos suite restarts it empty on purpose); production runs Redis
    # with appendonly yes and maxmemory-policy noeviction (docs/guarantees.md).
    run_quietly "${as[@]}" redis-server --daemonize yes --bind 127.0.0.1 -::1 \
        --port "$REDIS_PORT" --save "" --appendonly no --dir "$dir" --logfile "$log"
}

# --- RabbitMQ -----------------------------------------------------------------

# Send the AMQP 0-9-1 protocol header; a broker answers with a Connection.Start
# method frame (frame type 1). That is enough: guest/guest works from localhost.
rabbitmq_up() {
    # shellcheck disable=SC2016 # expanded by the inner bash
    timeout 2 bash -c 'exec 3<>"/dev/tcp/$0/$1" && printf "AMQP\x00\x00\x09\x01" >&3 &&
        IFS= read -r -n 1 frame <&3 && [[ $frame == $'"'"'\x01'"'"' ]]' "$RABBITMQ_HOST" "$RABBITMQ_PORT" 2>/dev/null
}

rabbitmq_installed() { have rabbitmq-server; }

rabbitmq_start() {
    local out rc=0
    local -a as=("${ROOT[@]}")
    if ((!HAVE_ROOT)); then
        if [[ $(id -un) != rabbitmq ]]; then
            local env=""
            if [[ $RABBITMQ_PORT != 5672 ]]; then env="env RABBITMQ_NODE_PORT=$RABBITMQ_PORT "; fi
            problem "RabbitMQ is not running at $(addr "$RABBITMQ_HOST" "$RABBITMQ_PORT") and starting it needs root. Run:" \
                "  sudo ${env}rabbitmq-server -detached"
            return 1
        fi
        as=()
    fi
    # A node that runs with its application stopped (`rabbitmqctl stop_app`, as a chaos run killed mid-fault leaves
    # it) never opens its port by itself, and starting another node would fail.
    if "${as[@]}" rabbitmq-diagnostics -q ping >/dev/null 2>&1; then
        run_quietly "${as[@]}" rabbitmqctl -q start_app
        return
    fi
    # Debian's rabbitmq-server wrapper switches to the rabbitmq user itself.
    out=$("${as[@]}" env RABBITMQ_NODE_PORT="$RABBITMQ_PORT" rabbitmq-server -detached 2>&1) || rc=$?
    if ((rc != 0)); then
        # A node that is still booting is fine: we wait for its port below.
        if [[ $out == *"already running"* ]]; then return 0; fi
        printf '  "rabbitmq-server -detached" failed (exit %d):\n' "$rc" >&2
        printf '%s\n' "$out" | tail -n 20 | sed 's/^/    /' >&2
        return 1
    fi
}

# The queue depths that observability/ graphs and alerts on (backlog, dead-letter queue) come from RabbitMQ's own
# prometheus plugin; it ships with RabbitMQ and only needs enabling (no restart).
rabbitmq_metrics() {
    if tcp_open "$RABBITMQ_HOST" "$RABBITMQ_METRICS_PORT"; then
        status "" "" "metrics on $(addr "$RABBITMQ_HOST" "$RABBITMQ_METRICS_PORT")"
        return 0
    fi
    if ! is_local "$RABBITMQ_HOST" || ! have rabbitmq-plugins || ((!HAVE_ROOT)); then
        problem "RabbitMQ's prometheus plugin does not answer at $(addr "$RABBITMQ_HOST" "$RABBITMQ_METRICS_PORT"). Run:" \
            "  sudo rabbitmq-plugins enable rabbitmq_prometheus"
        return 0
    fi
    run_quietly "${ROOT[@]}" rabbitmq-plugins enable rabbitmq_prometheus || { problem "Could not enable rabbitmq_prometheus."; return 0; }
    if wait_until "$WAIT_SECONDS" tcp_open "$RABBITMQ_HOST" "$RABBITMQ_METRICS_PORT"; then
        status "" "" "metrics on $(addr "$RABBITMQ_HOST" "$RABBITMQ_METRICS_PORT") (enabled rabbitmq_prometheus)"
    else
        problem "Enabled rabbitmq_prometheus, but nothing answers at $(addr "$RABBITMQ_HOST" "$RABBITMQ_METRICS_PORT")."
    fi
}

# --- generic part ---------------------------------------------------------------

# ensure SERVICE HOST PORT: check that the dependency answers; if it does not and
# it should run on this machine, install and/or start it. Sets UP[SERVICE]=1 on
# success, reports a problem otherwise. Always returns 0.
ensure() {
    local svc=$1 host=$2 port=$3 where started installed="" reported=$problems
    local title=${TITLE[$svc]} pkg=${PACKAGE[$svc]} vars=${VARS[$svc]}
    where=$(addr "$host" "$port")

    if "${svc}_up"; then
        status "$svc" "$where" up
        UP[$svc]=1
        return 0
    fi

    if ! is_local "$host"; then
        problem "$title is not reachable at $where." \
            "  It runs on another host, so start it there, or point $vars at a running server."
        return 0
    fi

    if ! "${svc}_installed"; then
        if ! apt_install "$pkg"; then
            problem "$title is not reachable at $where and is not installed here." \
                "  Install it: sudo apt-get install $pkg   (then run make deps again)," \
                "  or point $vars at a running server."
            return 0
        fi
        installed="installed, "
        # The package's install script may have started it already.
        if "${svc}_up"; then
            status "$svc" "$where" "up (installed)"
            UP[$svc]=1
            return 0
        fi
    fi

    status "$svc" "$where" "down: ${installed}starting ..."
    started=$SECONDS
    if ! "${svc}_start"; then
        # The start functions explain most failures themselves.
        if ((problems == reported)); then
            problem "Could not start $title (see above). Its log: ${LOGS[$svc]}"
        fi
        return 0
    fi
    if ! wait_until "$WAIT_SECONDS" "${svc}_up"; then
        problem "$title was started but does not answer at $where after ${WAIT_SECONDS}s." \
            "  Look at its log: ${LOGS[$svc]}"
        return 0
    fi
    status "$svc" "$where" "up (started, ready after $((SECONDS - started))s)"
    UP[$svc]=1
}

# --- PostgreSQL role and databases ------------------------------------------------

# SQL quoting: sql_literal 'it''s', sql_ident "My ""Name"""
sql_literal() { local q="'"; printf "'%s'" "${1//$q/$q$q}"; }
sql_ident() { printf '"%s"' "${1//\"/\"\"}"; }

# How we reach PostgreSQL as an administrator: tcp | self | runuser | sudo.
ADMIN_MODE=tcp
ADMIN_ERROR=""

# admin_psql PSQL_ARGS...: run psql as the admin (SQL on stdin or with -c).
admin_psql() {
    local -a opts=(-X -q -w -v ON_ERROR_STOP=1 -p "$DB_PORT" -d postgres)
    case $ADMIN_MODE in
        tcp) (
            if [[ -n ${PGADMIN_PASSWORD:-} ]]; then export PGPASSWORD=$PGADMIN_PASSWORD; fi
            PGCONNECT_TIMEOUT=5 psql -h "$DB_HOST" -U "$PGADMIN_USER" "${opts[@]}" "$@"
        ) ;;
        # Peer authentication over the unix socket, as the postgres OS user.
        self) (unset PGHOST PGHOSTADDR PGUSER && psql "${opts[@]}" "$@") ;;
        runuser) (unset PGHOST PGHOSTADDR PGUSER && cd / && runuser -u postgres -- psql "${opts[@]}" "$@") ;;
        sudo) (cd / && sudo -n -u postgres psql "${opts[@]}" "$@") ;;
    esac
}

# Find a way to run SQL as the admin; sets ADMIN_MODE.
find_admin() {
    local mode
    ADMIN_MODE=tcp
    if ADMIN_ERROR=$(admin_psql -tAc 'select 1' 2>&1 >/dev/null); then return 0; fi
    if ! is_local "$DB_HOST"; then return 1; fi
    for mode in self runuser sudo; do
        case $mode in
            self) if [[ $(id -un) != postgres ]]; then continue; fi ;;
            runuser) if ((EUID != 0)) || ! have runuser; then continue; fi ;;
            sudo) if ! have sudo; then continue; fi ;;
        esac
        ADMIN_MODE=$mode
        if admin_psql -tAc 'select 1' >/dev/null 2>&1; then return 0; fi
    done
    return 1
}

# admin_sql SQL: run one statement as the admin (SQL via stdin, so passwords do
# not show up in `ps`). The result rows go to SQL_OUT; a failure is reported.
SQL_OUT=""
admin_sql() {
    local rc=0 shown=$1 errfile
    errfile=$(mktemp)
    SQL_OUT=$(admin_psql -tA <<<"$1" 2>"$errfile") || rc=$?
    if ((rc != 0)); then
        shown=${shown//"PASSWORD $(sql_literal "$DB_PASSWORD")"/"PASSWORD '***'"}
        problem "PostgreSQL: this statement failed: $shown" "$(sed 's/^/  /' "$errfile")"
    fi
    rm -f "$errfile"
    return "$rc"
}

setup_database() {
    local db owner err verb hba
    local -a extra names
    read -r -a extra <<<"${DB_EXTRA_NAMES//,/ }"
    names=("$DB_NAME" "${extra[@]}")

    if ! have psql; then
        if ! apt_install postgresql-client; then
            problem "psql is not installed, so the database cannot be checked or created." \
                "  Install it: sudo apt-get install postgresql-client"
            return 0
        fi
    fi

    if ! find_admin; then
        local sql
        sql=$(
            printf 'CREATE ROLE %s LOGIN CREATEDB PASSWORD %s;\n' "$(sql_ident "$DB_USER")" "$(sql_literal "$DB_PASSWORD")"
            for db in "${names[@]}"; do
                printf 'CREATE DATABASE %s OWNER %s;\n' "$(sql_ident "$db")" "$(sql_ident "$DB_USER")"
            done
        )
        local -a msg=("Cannot connect to PostgreSQL at $(addr "$DB_HOST" "$DB_PORT") as the admin user \"$PGADMIN_USER\".")
        if [[ -n $ADMIN_ERROR ]]; then msg+=("$(printf '%s\n' "$ADMIN_ERROR" | sed 's/^/  /')"); fi
        msg+=("  Set PGADMIN_PASSWORD (and PGADMIN_USER) and run make deps again, or create the role and"
            "  databases yourself (skip what exists), e.g. with: sudo -u postgres psql"
            "$(printf '%s\n' "$sql" | sed 's/^/    /')")
        problem "${msg[@]}"
        return 0
    fi

    # Role: create it, or make sure it can log in with DB_PASSWORD.
    admin_sql "SELECT 1 FROM pg_roles WHERE rolname = $(sql_literal "$DB_USER")" || return 0
    if [[ -z $SQL_OUT ]]; then verb=CREATE; else verb=ALTER; fi
    admin_sql "$verb ROLE $(sql_ident "$DB_USER") LOGIN CREATEDB PASSWORD $(sql_literal "$DB_PASSWORD")" || return 0
    if [[ $verb == CREATE ]]; then say "  created role $DB_USER"; fi

    # Databases, created when missing (CREATE DATABASE cannot run in a DO block
    # or a transaction, hence the check first). Existing ones are left alone.
    for db in "${names[@]}"; do
        admin_sql "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = $(sql_literal "$db")" || return 0
        owner=$SQL_OUT
        if [[ -z $owner ]]; then
            admin_sql "CREATE DATABASE $(sql_ident "$db") OWNER $(sql_ident "$DB_USER")" || return 0
            say "  created database $db (owner $DB_USER)"
        elif [[ $owner != "$DB_USER" ]]; then
            # Not ours to take over: just say how, in case the application needs it.
            say "  note: database $db is owned by $owner, not $DB_USER; if $DB_USER must own it, run as admin:" \
                "ALTER DATABASE $(sql_ident "$db") OWNER TO $(sql_ident "$DB_USER");"
        fi
    done

    # Finally, log in the way the application does.
    if ! err=$(PGPASSWORD=$DB_PASSWORD PGCONNECT_TIMEOUT=5 psql -X -w -h "$DB_HOST" -p "$DB_PORT" \
        -U "$DB_USER" -d "$DB_NAME" -tAc 'select 1' 2>&1 >/dev/null); then
        hba=$(admin_psql -tAc 'show hba_file' 2>/dev/null) || hba="pg_hba.conf"
        problem "The application cannot log in to PostgreSQL as $DB_USER:" \
            "$(printf '%s\n' "$err" | sed 's/^/  /')" \
            "  $hba needs a line that allows password logins over TCP from this machine, e.g." \
            "    host  all  all  127.0.0.1/32  scram-sha-256" \
            "  above any conflicting line; then reload PostgreSQL (sudo pg_ctlcluster VERSION main reload)."
    fi
}

# --- the replicated topology (REPLICAS > 1) -------------------------------------------

replicated() {
    if have haproxy; then
        status haproxy "" "$(haproxy -v | head -n 1 | cut -d' ' -f1-3)"
    elif apt_install haproxy; then
        status haproxy "" "installed"
    else
        problem "HAProxy is missing (REPLICAS=${REPLICAS} puts it in front of the replicas). Install it:" \
            "  sudo apt-get install haproxy"
    fi
    local cluster=("$(dirname "${BASH_SOURCE[0]}")/rabbitmq-cluster.sh")
    if ((EUID != 0)); then cluster=("${ROOT[@]}" "${cluster[@]}"); fi
    if ((HAVE_ROOT)) && run_quietly "${cluster[@]}" start; then
        status rabbitmq cluster "$("${cluster[@]}" addresses) up"
    else
        problem "The RabbitMQ cluster (REPLICAS=${REPLICAS}) is not running and starting it needs root. Run:" \
            "  sudo scripts/rabbitmq-cluster.sh start"
    fi
}

# --- main ---------------------------------------------------------------------

detect_root
ensure postgres "$DB_HOST" "$DB_PORT"
ensure redis "$REDIS_HOST" "$REDIS_PORT"
ensure rabbitmq "$RABBITMQ_HOST" "$RABBITMQ_PORT"
if [[ -n ${UP[rabbitmq]:-} ]]; then
    rabbitmq_metrics
fi
if [[ -n ${UP[postgres]:-} ]]; then
    setup_database
fi
if ((${REPLICAS:-1} > 1)); then
    replicated
fi

if ((problems > 0)); then
    printf '\ndeps: %d problem(s), see above.\n' "$problems" >&2
    exit 1
fi
