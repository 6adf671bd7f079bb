package dev.resilient.testing;

import io.quarkus.test.junit.callback.QuarkusTestBeforeEachCallback;
import io.quarkus.test.junit.callback.QuarkusTestMethodContext;

import dev.resilient.testsupport.Tokens;

import io.restassured.RestAssured;
import io.restassured.filter.Filter;
import io.restassured.filter.FilterContext;
import io.restassured.response.Response;
import io.restassured.specification.FilterableRequestSpecification;
import io.restassured.specification.FilterableResponseSpecification;

/**
 * Every REST Assured request of the tests carries the default client's token ({@link Tokens#standard()}: every
 * scope), as every real client does, unless the test sets an Authorization header of its own. Installed before each
 * {@code @QuarkusTest} method (registered in META-INF/services); other tests call {@link #install()}.
 */
public class BearerToken implements Filter, QuarkusTestBeforeEachCallback {

    @Override
    public void beforeEach(QuarkusTestMethodContext context) {
        install();
    }

    /** Adds the filter to REST Assured's defaults, once. */
    public static void install() {
        if (RestAssured.filters().stream().noneMatch(BearerToken.class::isInstance)) {
            RestAssured.filters(new BearerToken());
        }
    }

    @Override
    public Response filter(
            FilterableRequestSpecification request, FilterableResponseSpecification response, FilterContext context) {
        if (!request.getHeaders().hasHeaderWithName("Authorization")) {
            request.header("Authorization", "Bearer " + Tokens.standard());
        }
        return context.next(request, response);
    }
}
