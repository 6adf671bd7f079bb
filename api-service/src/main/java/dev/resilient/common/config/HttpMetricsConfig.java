package dev.resilient.common.config;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;

/**
 * Gives the HTTP server timer histogram buckets suited to millisecond latencies, so p95/p99 per route and status can
 * be computed from {@code http_server_requests_seconds_bucket} (in Prometheus, or by a benchmark from two scrapes).
 */
public class HttpMetricsConfig {

    /** From half a millisecond (a fast 503) to ten seconds (far past every timeout). */
    private static final double[] BUCKET_MILLIS = {
        0.5, 1, 2, 3, 4, 5, 7.5, 10, 15, 25, 50, 75, 100, 250, 500, 1000, 2500, 5000, 10000
    };

    private static final double NANOS_PER_MILLI = 1_000_000;

    @Produces
    @Singleton
    MeterFilter httpServerHistogram() {
        return new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                if (!id.getName().equals("http.server.requests")) {
                    return config;
                }
                var buckets = new double[BUCKET_MILLIS.length];
                for (int i = 0; i < buckets.length; i++) {
                    buckets[i] = BUCKET_MILLIS[i] * NANOS_PER_MILLI; // a timer's histogram counts in nanoseconds
                }
                return DistributionStatisticConfig.builder()
                        .serviceLevelObjectives(buckets)
                        .build()
                        .merge(config);
            }
        };
    }
}
