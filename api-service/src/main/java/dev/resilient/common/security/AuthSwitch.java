package dev.resilient.common.security;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Alternative;
import jakarta.interceptor.Interceptor;

import org.eclipse.microprofile.config.Config;

import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.security.spi.runtime.AuthorizationController;

/**
 * Turns the scope checks off only when {@code tasks.auth.enabled=false} says so, and checks at start-up that the API
 * can verify tokens when they are on: without an issuer and its key every request would be a 401, so the start fails
 * instead, naming the settings.
 */
@Alternative
@Priority(Interceptor.Priority.LIBRARY_AFTER)
@ApplicationScoped
public class AuthSwitch extends AuthorizationController {

    static final String KEY_LOCATION = "mp.jwt.verify.publickey.location";
    static final String KEY = "mp.jwt.verify.publickey";
    static final String ISSUER = "mp.jwt.verify.issuer";

    private final AuthConfig config;

    public AuthSwitch(AuthConfig config) {
        this.config = config;
    }

    @Override
    public boolean isAuthorizationEnabled() {
        return config.enabled();
    }

    void check(@Observes StartupEvent started, Config settings) {
        if (!config.enabled()) {
            Log.warn("Authentication is OFF (tasks.auth.enabled=false): anyone who reaches this port can read, write"
                    + " and delete every task");
            return;
        }
        var hasKey = settings.getOptionalValue(KEY_LOCATION, String.class).isPresent()
                || settings.getOptionalValue(KEY, String.class).isPresent();
        var hasIssuer = settings.getOptionalValue(ISSUER, String.class).isPresent();
        if (!hasKey || !hasIssuer) {
            throw new IllegalStateException("Authentication is on but tokens cannot be verified: set "
                    + (hasKey
                            ? ""
                            : "MP_JWT_VERIFY_PUBLICKEY_LOCATION (the issuer's public key: a PEM or JWK file, or a"
                                    + " JWKS URL)" + (hasIssuer ? "" : " and "))
                    + (hasIssuer ? "" : "MP_JWT_VERIFY_ISSUER (the iss claim of its tokens)")
                    + ", or turn authentication off with TASKS_AUTH_ENABLED=false");
        }
    }
}
