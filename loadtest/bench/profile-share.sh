#!/usr/bin/env bash
# Where a service's CPU goes, from a Java Flight Recorder recording: the share of execution samples whose stack holds
# each library (a sample counts for every library on its stack, so the shares add up to more than 100 %), and the
# share whose top frame is in each. Record with the JVM option
#   -XX:StartFlightRecording=filename=worker.jfr,settings=profile
# (e.g. WORKER_JAVA_OPTS=... loadtest/bench/drain.sh 1 10000, API_JAVA_OPTS=... loadtest/bench/kinds.sh 1 30).
#
# Usage: loadtest/bench/profile-share.sh RECORDING.jfr
set -euo pipefail
[[ -f ${1:-} ]] || { echo "usage: $0 RECORDING.jfr" >&2; exit 1; }

jfr print --events jdk.ExecutionSample --stack-depth 128 "$1" | awk '
    BEGIN {
        # package prefix:library, in the order a frame is matched
        np = split("org.hibernate.:Hibernate;io.vertx.pgclient.:PostgreSQL client;io.vertx.sqlclient.:PostgreSQL client;" \
            "com.rabbitmq.:RabbitMQ client and connector;io.vertx.rabbitmq.:RabbitMQ client and connector;" \
            "io.smallrye.reactive.messaging.:RabbitMQ client and connector;io.vertx.redis.:Redis client;" \
            "io.quarkus.redis.:Redis client;com.fasterxml.jackson.:Jackson;io.opentelemetry.:OpenTelemetry;" \
            "io.quarkus.opentelemetry.:OpenTelemetry;io.micrometer.:Micrometer;io.quarkus.micrometer.:Micrometer;" \
            "io.smallrye.faulttolerance.:Fault tolerance;io.smallrye.context.:Context propagation;" \
            "io.quarkus.smallrye.context.:Context propagation;io.smallrye.mutiny.:Mutiny;" \
            "org.jboss.resteasy.reactive.:RESTEasy Reactive;io.quarkus.resteasy.reactive.:RESTEasy Reactive;" \
            "io.netty.:Netty;io.vertx.core.:Vert.x core;dev.resilient.:this project;java.:JDK;jdk.:JDK;sun.:JDK", pairs, ";")
        for (i = 1; i <= np; i++) { split(pairs[i], kv, ":"); prefixes[i] = kv[1]; owner[i] = kv[2] }
    }
    /jdk.ExecutionSample/ { samples++; delete seen; top = ""; depth = 0; next }
    /^[ \t]+[a-zA-Z_$][a-zA-Z0-9_$.]*\.[a-zA-Z_$<][^ ]*\(/ {
        frame = $1; depth++
        for (i = 1; i <= np; i++) if (index(frame, prefixes[i]) == 1) {
            if (!(owner[i] in seen)) { seen[owner[i]] = 1; held[owner[i]]++ }
            if (depth == 1) on_top[owner[i]]++
            break
        }
    }
    END {
        printf "%d samples\n\n| library | samples with it on the stack | samples with it on top |\n|---|--:|--:|\n", samples
        for (library in held) printf "| %s | %.0f %% | %.0f %% |\n", library, 100 * held[library] / samples, 100 * on_top[library] / samples | "sort -t\"|\" -k3 -rn"
    }'
