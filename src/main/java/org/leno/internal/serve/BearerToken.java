package org.leno.internal.serve;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The token a request must present ({@code Authorization: Bearer TOKEN}). Both sides are hashed
 * first and the hashes compared with {@link MessageDigest#isEqual}, so the time of a comparison
 * tells nothing about the token, not even its length.
 */
final class BearerToken {
    private final byte[] expected;

    BearerToken(String token) {
        this.expected = sha256(token);
    }

    boolean accepts(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        return MessageDigest.isEqual(expected, sha256(authorization.substring(7).strip()));
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every JDK has SHA-256
        }
    }
}
