package dev.resilient.worker.apply;

import java.util.concurrent.ThreadLocalRandom;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import dev.resilient.shared.deferred.DeferredWriteJournalConfig;
import dev.resilient.shared.messaging.MessagingConfig;
import dev.resilient.worker.config.WorkerConfig;

/** Builds {@link DeferredWriteRules} from the configuration, so that the rules themselves know nothing of CDI. */
@Singleton
class DeferredWriteRulesProducer {

    @Produces
    @Singleton
    DeferredWriteRules rules(WorkerConfig worker, MessagingConfig messaging, DeferredWriteJournalConfig journal) {
        var limits = DeferredWriteRules.Limits.of(worker, messaging.retries(), journal.horizon());
        return new DeferredWriteRules(limits, () -> ThreadLocalRandom.current().nextDouble());
    }
}
