package dev.resilient.common.warmup;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;

import dev.resilient.common.security.Scopes;

import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;

/**
 * How the warm-up's requests to its own service get through authentication: no token exists for them (the service
 * cannot sign one its issuer's key verifies), so they carry a random secret made at start-up that never leaves the
 * process, and are the client {@code warm-up} with read and write scopes. Any other request is left to the bearer
 * token mechanism; a wrong secret is no identity at all.
 */
@ApplicationScoped
public class WarmUpAuthentication implements HttpAuthenticationMechanism {

    static final String HEADER = "X-Tasks-Warm-Up";
    private static final String CLIENT = "warm-up";

    private final byte[] secret = newSecret();

    /** The header value the warm-up sends. */
    String secret() {
        return new String(secret, StandardCharsets.US_ASCII);
    }

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identities) {
        var presented = context.request().getHeader(HEADER);
        if (presented == null || !MessageDigest.isEqual(presented.getBytes(StandardCharsets.US_ASCII), secret)) {
            return Uni.createFrom().nullItem();
        }
        return Uni.createFrom()
                .item(QuarkusSecurityIdentity.builder()
                        .setPrincipal(new QuarkusPrincipal(CLIENT))
                        .addRoles(Set.of(Scopes.READ, Scopes.WRITE))
                        .build());
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return Uni.createFrom().nullItem(); // the bearer mechanism's challenge is the one clients need
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of();
    }

    @Override
    public int getPriority() {
        return DEFAULT_PRIORITY - 100; // after the bearer token mechanism
    }

    private static byte[] newSecret() {
        var random = new byte[32];
        new SecureRandom().nextBytes(random);
        return Base64.getUrlEncoder().withoutPadding().encode(random);
    }
}
