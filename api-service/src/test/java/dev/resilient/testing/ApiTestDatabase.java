package dev.resilient.testing;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;

import dev.resilient.testsupport.LocalPostgresDatabase;

/** Every api-service test runs against its own database, tasks_test_api, on the local PostgreSQL. */
@WithTestResource(
        value = LocalPostgresDatabase.class,
        initArgs = @ResourceArg(name = "database", value = "tasks_test_api"),
        scope = TestResourceScope.GLOBAL)
public final class ApiTestDatabase {

    private ApiTestDatabase() {}
}
