package dev.resilient.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;

import io.smallrye.jwt.build.Jwt;

/**
 * Bearer tokens for tests, signed with the development key (config/dev-jwt/private.pem) that dev mode, the tests and
 * the local stack trust, as {@code make token} signs them.
 */
public final class Tokens {

    /** The issuer the local stack trusts. */
    public static final String ISSUER = "https://resilient-tasks.local/dev";

    /** The subject of the tests' default client. */
    public static final String SUBJECT = "test-client";

    /** Every scope: what the tests' default client holds. */
    public static final String ALL_SCOPES = "tasks:read tasks:write tasks:admin";

    private static final Path KEY_DIRECTORY = Path.of("..", "config", "dev-jwt");
    private static final PrivateKey KEY = privateKey(KEY_DIRECTORY.resolve("private.pem"));
    private static final String DEFAULT = forSubject(SUBJECT, ALL_SCOPES);

    private Tokens() {}

    /** The default client's token: every scope, valid for a day. */
    public static String standard() {
        return DEFAULT;
    }

    /** A token for {@code subject} granting {@code scopes} (space-separated). */
    public static String forSubject(String subject, String scopes) {
        return Jwt.issuer(ISSUER)
                .subject(subject)
                .claim("scope", scopes)
                .expiresIn(Duration.ofDays(1))
                .jws()
                .sign(KEY);
    }

    /** The development private key, for a test that builds a token of its own (an expired one, another issuer's). */
    public static PrivateKey privateKey() {
        return KEY;
    }

    /** The absolute path of the development public key, for a service started as a process. */
    public static Path publicKey() {
        return KEY_DIRECTORY.resolve("public.pem").toAbsolutePath().normalize();
    }

    private static PrivateKey privateKey(Path pem) {
        try {
            var base64 =
                    Files.readString(pem).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            return KeyFactory.getInstance("RSA")
                    .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the development key " + pem.toAbsolutePath(), e);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("Not a PKCS#8 RSA key: " + pem.toAbsolutePath(), e);
        }
    }
}
