package dev.resilient.testsupport;

import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;

/**
 * Every span the service under test ends, kept in memory for the tests: Quarkus adds CDI span exporters to its own.
 * A bean of every Quarkus test suite that has this module on its classpath (it carries META-INF/beans.xml for it).
 */
@Dependent
public class InMemorySpans {

    @Produces
    @Singleton
    InMemorySpanExporter exporter() {
        return InMemorySpanExporter.create();
    }
}
