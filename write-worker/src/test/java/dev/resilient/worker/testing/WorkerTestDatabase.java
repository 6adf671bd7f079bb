package dev.resilient.worker.testing;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;

import dev.resilient.testsupport.LocalPostgresDatabase;

/** The worker tests' own database (created if missing, migrated by Flyway at test start-up). */
@WithTestResource(
        value = LocalPostgresDatabase.class,
        initArgs = @ResourceArg(name = "database", value = "tasks_test_worker"),
        scope = TestResourceScope.GLOBAL)
public final class WorkerTestDatabase {

    private WorkerTestDatabase() {}
}
