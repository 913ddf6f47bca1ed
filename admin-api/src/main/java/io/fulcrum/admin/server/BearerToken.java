package io.fulcrum.admin.server;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;

/**
 * The admin token and the check of an {@code Authorization} header against it.
 *
 * <p>Both sides are hashed with SHA-256 first and the digests compared with
 * {@link MessageDigest#isEqual}, so the comparison takes the same time whatever the header holds:
 * neither the position of the first wrong byte nor the token's length leaks through timing.
 * Immutable; safe on any thread.
 */
final class BearerToken {

    private static final String SCHEME = "bearer ";

    private final byte[] expectedDigest;

    BearerToken(String token) {
        Objects.requireNonNull(token, "token");
        if (token.isBlank()) {
            throw new IllegalArgumentException("the admin token is empty");
        }
        this.expectedDigest = sha256(token);
    }

    /** True when {@code authorization} is {@code Bearer <token>} (scheme case-insensitive, RFC 7235). */
    boolean accepts(String authorization) {
        if (authorization == null || authorization.length() <= SCHEME.length()
                || !authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return false;
        }
        String presented = authorization.substring(SCHEME.length()).trim();
        return MessageDigest.isEqual(expectedDigest, sha256(presented));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
