package dev.resilient.shared.persistence;

import java.util.concurrent.atomic.AtomicLong;

/** Places in the order of accepted writes, as the journal hands them out in these tests: each later than the last. */
final class Places {

    private static final AtomicLong LAST = new AtomicLong(System.currentTimeMillis() * 1000);

    private Places() {}

    /** The next place: later than every place handed out before. */
    static long place() {
        return LAST.incrementAndGet();
    }
}
