package dev.resilient.testing;

import java.util.List;
import java.util.Set;
import java.util.UUID;

import io.restassured.RestAssured;
import io.restassured.filter.Filter;
import io.restassured.filter.FilterContext;
import io.restassured.response.Response;
import io.restassured.specification.FilterableRequestSpecification;
import io.restassured.specification.FilterableResponseSpecification;

/**
 * Gives every write a new {@code Idempotency-Key} unless the test set one, as a well-behaved client does for each
 * new logical write, so tests about other behaviour need not repeat it. Install in {@code @BeforeEach}, remove in
 * {@code @AfterEach}.
 */
public final class FreshIdempotencyKeys implements Filter {

    private static final Set<String> WRITES = Set.of("POST", "PUT", "DELETE");

    public static void install() {
        remove();
        RestAssured.filters(new FreshIdempotencyKeys());
    }

    /** Removes it, leaving REST Assured's other filters (the bearer token) in place. */
    public static void remove() {
        List<Filter> others = RestAssured.filters().stream()
                .filter(filter -> !(filter instanceof FreshIdempotencyKeys))
                .toList();
        RestAssured.replaceFiltersWith(others);
    }

    @Override
    public Response filter(
            FilterableRequestSpecification request, FilterableResponseSpecification response, FilterContext context) {
        if (WRITES.contains(request.getMethod())
                && !request.getHeaders().hasHeaderWithName("Idempotency-Key")
                && !request.getHeaders().hasHeaderWithName("X-Idempotency-Key")) {
            request.header("Idempotency-Key", UUID.randomUUID().toString());
        }
        return context.next(request, response);
    }
}
