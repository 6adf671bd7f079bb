package dev.resilient.loadtest;

import static dev.resilient.loadtest.TaskUser.ACTION;
import static dev.resilient.loadtest.TaskUser.BODY;
import static dev.resilient.loadtest.TaskUser.CREATE;
import static dev.resilient.loadtest.TaskUser.DELETE;
import static dev.resilient.loadtest.TaskUser.HTTP;
import static dev.resilient.loadtest.TaskUser.READ;
import static dev.resilient.loadtest.TaskUser.RESPONSE_MILLIS;
import static dev.resilient.loadtest.TaskUser.RETRY_AFTER;
import static dev.resilient.loadtest.TaskUser.UPDATE;
import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.asLongAs;
import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.bodyString;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.group;
import static io.gatling.javaapi.core.CoreDsl.onCase;
import static io.gatling.javaapi.core.CoreDsl.pause;
import static io.gatling.javaapi.core.CoreDsl.rampUsers;
import static io.gatling.javaapi.core.CoreDsl.responseTimeInMillis;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.header;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import io.gatling.javaapi.http.HttpRequestActionBuilder;

import dev.resilient.loadtest.TaskUser.Phase;

/**
 * The seed article's load test against api-service: closed-loop users that own up to 25 tasks each, mixing
 * POST 15 % / GET 50 % / PUT 20 % / DELETE 15 %, resending 503s and 409s after Retry-After with the same
 * Idempotency-Key and polling 202s to the end. Every write the client finishes lands in a ledger (see {@link Ledger})
 * for the verifier.
 *
 * <p>Statuses the API answers by design under failure (202, 404, 409, 412, 503) are checks that pass, so KO in the
 * report means a real error: a timeout, a refused connection or a status the API should never send.
 */
public class TasksSimulation extends Simulation {

    private final LoadSettings settings = LoadSettings.fromSystemProperties();
    private final Ledger ledger = new Ledger(settings.ledgerDir());
    private final RequestLog requests = new RequestLog(settings.ledgerDir());
    private final TaskUser user = new TaskUser(settings, ledger, requests);

    // The seed's k6 client kept no HTTP cache; Gatling's would turn reads into conditional 304s.
    private final HttpProtocolBuilder protocol = http.baseUrl(settings.baseUrl())
            .authorizationHeader(ApiToken.authorization())
            .acceptHeader("application/json")
            .disableCaching();

    private final ChainBuilder read = exec(user::clearResponse)
            .exec(http("read").get("/tasks/#{taskId}")
                    .requestTimeout(settings.requestTimeout())
                    .check(
                            responseTimeInMillis().saveAs(RESPONSE_MILLIS),
                            status().saveAs(HTTP),
                            status().in(200, 404, 503),
                            header("Retry-After").optional().saveAs(RETRY_AFTER)))
            .exec(user::afterRead);

    private final ScenarioBuilder scenario = scenario("tasks")
            .exec(user::start)
            // exitASAP=false: a write under way when the time is up is finished, so it reaches the ledger.
            .during(settings.duration(), false)
            .on(exec(user::chooseAction)
                    .doIfOrElse(session -> READ.equals(session.getString(ACTION)))
                    .then(read)
                    .orElse(write()));

    {
        var users = settings.rampUp().isZero()
                ? atOnceUsers(settings.users())
                : rampUsers(settings.users()).during(settings.rampUp());
        setUp(scenario.injectOpen(users))
                .protocols(protocol)
                // Only a safety net: a write still unfinished past it is missing from the ledger.
                .maxDuration(settings.duration().plus(settings.longestWrite()));
    }

    @Override
    public void before() {
        // chaos.sh and bench.sh time their faults and CPU samples from this file's appearance.
        try {
            Files.writeString(settings.ledgerDir().resolve("started"), System.currentTimeMillis() + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.out.printf(
                "Load run lt-%s-: %d users (started over %d s) for %d s against %s, ledger in %s%n",
                settings.runId(),
                settings.users(),
                settings.rampUp().toSeconds(),
                settings.duration().toSeconds(),
                settings.baseUrl(),
                settings.ledgerDir().toAbsolutePath());
    }

    @Override
    public void after() {
        ledger.close();
        requests.close();
    }

    /** One write from first attempt to outcome: resends after 503, then, after a 202, polls inside a group. */
    private ChainBuilder write() {
        var send = asLongAs(session -> TaskUser.inPhase(session, Phase.SEND))
                .on(exec(user::clearResponse)
                        .doSwitch(session -> session.getString(ACTION))
                        .on(
                                onCase(CREATE).then(exec(writeRequest(http("write").post("/tasks")
                                        .body(StringBody("#{payload}"))
                                        .asJson()))),
                                onCase(UPDATE).then(exec(writeRequest(http("write").put("/tasks/#{taskId}")
                                        .body(StringBody("#{payload}"))
                                        .asJson()))),
                                onCase(DELETE).then(exec(writeRequest(http("write").delete("/tasks/#{taskId}")))))
                        .exec(user::afterWriteAttempt)
                        .doIf(session -> TaskUser.inPhase(session, Phase.SEND))
                        .then(pause(TaskUser::waitOf)));
        // The group's duration (gatling.conf: useGroupDurationMetric) is the seed's http_queued_req_duration.
        var poll = group("queued operation")
                .on(asLongAs(session -> TaskUser.inPhase(session, Phase.POLL))
                        .on(pause(TaskUser::waitOf)
                                .exec(user::clearResponse)
                                .exec(answerChecks(http("queued poll").get("#{location}"), 200, 404, 503))
                                .exec(user::afterPoll)));
        return exec(user::prepareWrite)
                .exec(send)
                .doIf(session -> TaskUser.inPhase(session, Phase.POLL))
                .then(poll);
    }

    /** Every attempt of one write carries the same key, so a resend can never apply it twice. */
    private HttpRequestActionBuilder writeRequest(HttpRequestActionBuilder request) {
        return answerChecks(
                request.header("Idempotency-Key", "#{idempotencyKey}"), 200, 201, 202, 204, 404, 409, 412, 503);
    }

    /** Keeps status, body and Retry-After for {@link TaskUser} to read, and passes the statuses the API may send. */
    private HttpRequestActionBuilder answerChecks(HttpRequestActionBuilder request, Integer... expected) {
        return request.requestTimeout(settings.requestTimeout())
                // Saved before the status check, which stops the checks after it when it fails.
                .check(
                        responseTimeInMillis().saveAs(RESPONSE_MILLIS),
                        status().saveAs(HTTP),
                        status().in(expected),
                        bodyString().saveAs(BODY),
                        header("Retry-After").optional().saveAs(RETRY_AFTER));
    }
}
