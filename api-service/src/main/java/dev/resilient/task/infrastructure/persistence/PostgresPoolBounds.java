package dev.resilient.task.infrastructure.persistence;

import java.util.List;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Singleton;

import io.quarkus.reactive.pg.client.PgPoolCreator;

import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnectOptions;

/**
 * Bounds what the PostgreSQL pool may wait for, which Quarkus has no properties for: without these, connecting to a
 * black-holed host waits the TCP default (a minute or more) and holds a pool slot all that time, and requests queue
 * for a slot without limit. The breaker's timeout answers the client either way; these keep the pool itself from
 * filling up behind an unreachable server. Tune from the pool metrics and the connect time of a healthy server.
 */
@Singleton
public class PostgresPoolBounds implements PgPoolCreator {

    private final PostgresPoolConfig config;

    public PostgresPoolBounds(PostgresPoolConfig config) {
        this.config = config;
    }

    @Override
    public Pool create(Input input) {
        var connectMillis = (int) config.connectTimeout().toMillis();
        input.pgConnectOptionsList().forEach(options -> options.setConnectTimeout(connectMillis));
        var pool = input.poolOptions()
                .setConnectionTimeout((int) config.acquireTimeout().toMillis())
                .setConnectionTimeoutUnit(TimeUnit.MILLISECONDS)
                .setMaxWaitQueueSize(config.maxWaitQueue());
        return PgBuilder.pool()
                .with(pool)
                .connectingTo(List.<SqlConnectOptions>copyOf(input.pgConnectOptionsList()))
                .using(input.vertx())
                .build();
    }
}
