package dev.resilient.shared.contract;

import java.util.UUID;

/**
 * What applying a {@link TaskWrite} came to. Business outcomes (not found, precondition failed) are values, not
 * exceptions: they are final answers that must never trip a circuit breaker or be retried.
 */
public sealed interface WriteOutcome {

    /** The HTTP status the synchronous call answers with. */
    int status();

    record Created(TaskSnapshot snapshot) implements WriteOutcome {
        @Override
        public int status() {
            return 201;
        }
    }

    record Updated(TaskSnapshot snapshot) implements WriteOutcome {
        @Override
        public int status() {
            return 200;
        }
    }

    record Deleted() implements WriteOutcome {
        @Override
        public int status() {
            return 204;
        }
    }

    record NotFound(UUID taskId) implements WriteOutcome {
        @Override
        public int status() {
            return 404;
        }

        public Problem problem() {
            return Problem.taskNotFound(taskId);
        }
    }

    /**
     * A deferred write that arrived after a write accepted later than it had changed the task: applying it would
     * overwrite a newer write, so it is not applied (see {@code TaskWriter}).
     */
    record Superseded(UUID taskId, TaskSnapshot current) implements WriteOutcome {
        @Override
        public int status() {
            return 409;
        }

        public Problem problem() {
            return Problem.superseded(taskId);
        }
    }

    record PreconditionFailed(UUID taskId, TaskSnapshot current) implements WriteOutcome {
        @Override
        public int status() {
            return 412;
        }

        public Problem problem() {
            return Problem.preconditionFailed(taskId, current.entityTag());
        }
    }
}
