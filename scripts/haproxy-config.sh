#!/usr/bin/env bash
# scripts/haproxy-config.sh N [FIRST_PORT] [FIRST_MANAGEMENT_PORT] - prints HAProxy's configuration for N api-service
# replicas on 127.0.0.1:FIRST_PORT.. (8180..), checked on their management ports FIRST_MANAGEMENT_PORT.. (9280..),
# behind :${LB_PORT:-8080}. The choices (health checks on readiness, which requests
# may be replayed on another replica, no cutting of a stopping replica's requests): docs/adr/0001-replicated-topology.md.
# Used by scripts/run.sh (REPLICAS=N); check a change with: haproxy -c -f <(scripts/haproxy-config.sh 2)
set -euo pipefail

REPLICAS=${1:?usage: $0 N [FIRST_PORT]}
FIRST_PORT=${2:-8180}
FIRST_MANAGEMENT_PORT=${3:-9280}
LB_PORT=${LB_PORT:-8080}
STATS_PORT=${LB_STATS_PORT:-8404}

cat <<EOF
global
    log stdout format raw local0 info
    maxconn 4000
    # a reload or stop waits at most this long for requests in flight
    hard-stop-after 30s

defaults
    mode http
    log global
    option httplog
    option dontlognull
    option log-health-checks
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    timeout http-request 10s
    timeout http-keep-alive 10s
    timeout queue 5s
    timeout check 2s
    # a failed attempt goes to another replica each time, not to the same one again
    retries 2
    option redispatch 1

frontend api
    bind :$LB_PORT
    # Replayed on another replica after it reached one: reads, and writes whose Idempotency-Key makes a replay
    # harmless. Any request is retried when it could not even connect (nothing reached a replica).
    acl safe_method method GET HEAD OPTIONS
    acl has_key req.hdr(Idempotency-Key) -m len gt 0
    http-request disable-l7-retry if !safe_method !has_key
    default_backend api_replicas

backend api_replicas
    balance roundrobin
    option httpchk
    http-check send meth GET uri /q/health/ready ver HTTP/1.1 hdr Host localhost
    http-check expect status 200
    # not the replicas' own 503: overload or a dependency they all share, which another replica would not cure
    retry-on conn-failure empty-response
    # a write's body kept, so that it can be replayed
    option http-buffer-request
    default-server check inter 2s fastinter 500ms downinter 1s fall 2 rise 2
EOF
for i in $(seq 1 "$REPLICAS"); do
    echo "    server api$i 127.0.0.1:$((FIRST_PORT + i - 1)) port $((FIRST_MANAGEMENT_PORT + i - 1))"
done
cat <<EOF

frontend stats
    bind 127.0.0.1:$STATS_PORT
    http-request use-service prometheus-exporter if { path /metrics }
    stats enable
    stats uri /stats
    stats refresh 5s
EOF
