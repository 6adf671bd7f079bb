package dev.resilient.testsupport;

/** Where the local services are, as the tests see them: the same variables as the services (DB_HOST, REDIS_PORT...). */
public final class Env {

    private Env() {}

    /** The variable's value, or {@code fallback} when it is unset or blank. */
    public static String get(String name, String fallback) {
        var value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
