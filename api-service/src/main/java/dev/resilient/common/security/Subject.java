package dev.resilient.common.security;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;

import io.smallrye.mutiny.Uni;

/**
 * Who sent the request being served: the token's subject ({@code sub}), which scopes what is stored per client (the
 * idempotency records and the ids derived from them), so that one client can never be answered with another's
 * response. Without authentication every request is the same anonymous client.
 */
@ApplicationScoped
public class Subject {

    static final String ANONYMOUS = "";

    private final CurrentIdentityAssociation identities;

    public Subject(CurrentIdentityAssociation identities) {
        this.identities = identities;
    }

    /** The subject of the current request ({@code ""} when anonymous). */
    public Uni<String> current() {
        return identities.getDeferredIdentity().map(Subject::of);
    }

    static String of(SecurityIdentity identity) {
        if (identity == null || identity.isAnonymous()) {
            return ANONYMOUS;
        }
        if (identity.getPrincipal() instanceof JsonWebToken token && token.getSubject() != null) {
            return token.getSubject();
        }
        return identity.getPrincipal().getName();
    }
}
