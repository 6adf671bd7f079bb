package dev.resilient.worker.apply;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;

import jakarta.enterprise.context.ApplicationScoped;

import dev.resilient.shared.messaging.MessagingConfig;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The worker's own metrics (docs/operations.md reads them, and the alert rules and dashboards in observability/):
 * {@code tasks_worker_deferred_writes_total{outcome}}, {@code tasks_worker_processing_seconds},
 * {@code tasks_worker_attempts} and {@code tasks_worker_batch_size}.
 */
@ApplicationScoped
public class WorkerMetrics {

    private final MeterRegistry registry;
    private final Timer processing;
    private final DistributionSummary attempts;
    private final DistributionSummary batchSizes;
    private final Map<Outcome, Counter> outcomes = new ConcurrentHashMap<>();

    public WorkerMetrics(MeterRegistry registry, MessagingConfig messaging) {
        this.registry = registry;
        this.processing = Timer.builder("tasks.worker.processing")
                .description("Time to handle one delivered deferred write, whatever became of it")
                .publishPercentileHistogram()
                .register(registry);
        // One bucket per attempt: the first delivery, each retry, one beyond (retries are configurable).
        var buckets = IntStream.rangeClosed(1, messaging.retries() + 2)
                .asDoubleStream()
                .toArray();
        this.attempts = DistributionSummary.builder("tasks.worker.attempts")
                .description("Attempts a deferred write took until it was final")
                .serviceLevelObjectives(buckets)
                .register(registry);
        this.batchSizes = DistributionSummary.builder("tasks.worker.batch.size")
                .description("Deferred writes applied together in one transaction")
                .register(registry);
    }

    /** Starts timing one delivery; pair with {@link #handled}. */
    public Timer.Sample handling() {
        return Timer.start(registry);
    }

    public void handled(Timer.Sample sample) {
        sample.stop(processing);
    }

    /** One delivery more that ended this way. */
    public void count(Outcome outcome) {
        outcomes.computeIfAbsent(outcome, name -> Counter.builder("tasks.worker.deferred.writes")
                        .description("Deferred writes handled by the worker, by what became of them")
                        .tag("outcome", name.tag())
                        .register(registry))
                .increment();
    }

    /** A write became final after this many attempts. */
    public void finalAfter(int attempt) {
        attempts.record(attempt);
    }

    /** A transaction applied this many writes. */
    public void batch(int size) {
        batchSizes.record(size);
    }
}
