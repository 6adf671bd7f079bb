package dev.resilient.deploy;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;

/** Every problem of one check at once, so one run tells an operator all that is wrong. */
final class Findings {
    private final String subject;
    private final List<String> problems = new ArrayList<>();

    Findings(String subject) {
        this.subject = subject;
    }

    /** Records the problem unless the condition holds; returns the condition. */
    boolean check(boolean condition, String problem) {
        if (!condition) {
            problems.add(problem);
        }
        return condition;
    }

    void problem(String problem) {
        problems.add(problem);
    }

    void assertNone() {
        if (!problems.isEmpty()) {
            fail(subject + ":\n  - " + String.join("\n  - ", problems));
        }
    }
}
