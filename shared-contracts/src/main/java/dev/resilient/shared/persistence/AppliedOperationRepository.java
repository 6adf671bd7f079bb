package dev.resilient.shared.persistence;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;

/** The record of applied deferred writes; callers open the transaction. */
@ApplicationScoped
public class AppliedOperationRepository implements PanacheRepositoryBase<AppliedOperation, UUID> {}
