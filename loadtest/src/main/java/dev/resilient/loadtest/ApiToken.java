package dev.resilient.loadtest;

/**
 * The bearer token the load's clients send, from {@code TASKS_TOKEN}: loadtest/lib.sh sets it with scripts/token.sh
 * (the development key the local stack trusts), for the whole run.
 */
public final class ApiToken {

    private ApiToken() {}

    /** The Authorization header's value; fails at once, saying how to get one, when no token was given. */
    public static String authorization() {
        var token = System.getenv("TASKS_TOKEN");
        if (token == null || token.isBlank()) {
            throw new IllegalStateException(
                    "TASKS_TOKEN is not set: run the load through loadtest/*.sh or make, or export TASKS_TOKEN=$(make -s token)");
        }
        return "Bearer " + token.strip();
    }
}
