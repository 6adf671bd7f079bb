package dev.resilient.shared.config;

import io.smallrye.config.ConfigMapping;

/**
 * The passwords both services need. Required, with no default outside dev mode and tests: a production start without
 * one fails at once, its message naming the variable to set, instead of starting with a password anyone can read in
 * this repository.
 */
@ConfigMapping(prefix = "tasks.credentials")
public interface Credentials {

    /** PostgreSQL's password (DB_PASSWORD); quarkus.datasource.password reads it from here. */
    String databasePassword();

    /** RabbitMQ's password (RABBITMQ_PASSWORD); rabbitmq-password reads it from here. */
    String rabbitmqPassword();
}
