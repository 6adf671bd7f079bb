package dev.resilient.common.admission;

import java.util.EnumMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.vertx.http.runtime.filters.Filters;

import dev.resilient.common.problem.ProblemResponses;
import dev.resilient.shared.contract.Problem;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.netflix.concurrency.limits.limit.FixedLimit;
import com.netflix.concurrency.limits.limiter.AbstractLimiter;
import com.netflix.concurrency.limits.limiter.AbstractPartitionedLimiter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;

/**
 * Sheds what the service cannot serve instead of queueing it: before anything else runs, a request takes a permit of a
 * concurrency limiter (Netflix concurrency-limits); with none left for its kind, it is answered 503 + {@code
 * Retry-After} with a problem detail at once, having cost next to nothing and changed nothing. Reads, writes and polls
 * of deferred writes each keep a share of the limit under overload, so a flood of one kind cannot starve the others;
 * health, metrics and the OpenAPI document ({@code /q/}) are never limited, so probes get through.
 *
 * <p>A queue in front of a saturated service only adds its length to every answer's latency, until clients time out
 * and retry, which adds load: the limit keeps the requests in flight at what the service answers quickly.
 */
@ApplicationScoped
class Admission {

    /** Ahead of every other filter and route: a shed request reads no body and reaches no framework code. */
    private static final int PRIORITY = 2_000;

    enum Kind {
        READ,
        WRITE,
        POLL
    }

    /** The library builds its partitioned limiter from any builder of this kind. */
    private static final class Budgets extends AbstractPartitionedLimiter.Builder<Budgets, Kind> {
        @Override
        protected Budgets self() {
            return this;
        }
    }

    private final AdmissionConfig config;
    private final AbstractLimiter<Kind> limiter;
    private final Map<Kind, Counter> shed = new EnumMap<>(Kind.class);
    private final ObjectMapper json;

    Admission(AdmissionConfig config, MeterRegistry registry, ObjectMapper json) {
        this.config = config;
        this.json = json;
        if (config.limit() <= 0) {
            this.limiter = null;
            return;
        }
        var limiter = (AbstractLimiter<Kind>) new Budgets()
                .named("api")
                .limit(FixedLimit.of(config.limit()))
                .partitionResolver(Kind::name)
                .partition(Kind.READ.name(), config.readShare())
                .partition(Kind.WRITE.name(), config.writeShare())
                .partition(Kind.POLL.name(), config.pollShare())
                .build();
        this.limiter = limiter;
        Gauge.builder("tasks.admission.limit", limiter, AbstractLimiter::getLimit)
                .description("Requests api-service serves at once before it sheds")
                .register(registry);
        Gauge.builder("tasks.admission.in.flight", limiter, AbstractLimiter::getInflight)
                .description("Requests being served now")
                .register(registry);
        for (var kind : Kind.values()) {
            shed.put(
                    kind,
                    Counter.builder("tasks.admission.shed")
                            .description("Requests refused with 503 because the service was at its limit, by kind")
                            .tag("kind", kind.name().toLowerCase())
                            .register(registry));
        }
    }

    void admit(@Observes Filters filters) {
        if (limiter != null) {
            filters.register(this::admit, PRIORITY);
        }
    }

    private void admit(RoutingContext context) {
        var path = context.request().path();
        if (path.startsWith("/q/")) {
            context.next();
            return;
        }
        var kind = kindOf(context.request().method(), path);
        var permit = limiter.acquire(kind);
        if (permit.isEmpty()) {
            shed.get(kind).increment();
            refuse(context, path);
            return;
        }
        var listener = permit.get();
        // Ends with the response, or with the connection if the client goes away first.
        context.addEndHandler(ended -> listener.onSuccess());
        context.next();
    }

    static Kind kindOf(HttpMethod method, String path) {
        if (path.startsWith("/tasks/queued/")) {
            return Kind.POLL;
        }
        return method == HttpMethod.GET || method == HttpMethod.HEAD ? Kind.READ : Kind.WRITE;
    }

    private void refuse(RoutingContext context, String path) {
        var problem = Problem.of(
                        503,
                        ProblemResponses.reasonPhrase(503),
                        "The service is at its limit of requests in flight; retry after " + config.retryAfterSeconds()
                                + " s.")
                .withInstance(path);
        String body;
        try {
            body = json.writeValueAsString(problem);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A problem detail is always serialisable", e);
        }
        var response = context.response()
                .setStatusCode(503)
                .putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                .putHeader(HttpHeaders.RETRY_AFTER, String.valueOf(config.retryAfterSeconds()));
        var pause = config.shedPause().toMillis();
        if (pause <= 0) {
            response.end(body);
            return;
        }
        context.vertx().setTimer(pause, fired -> {
            if (!response.closed()) {
                response.end(body);
            }
        });
    }
}
