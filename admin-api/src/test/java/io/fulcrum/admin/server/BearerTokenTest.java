package io.fulcrum.admin.server;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BearerTokenTest {

    private final BearerToken token = new BearerToken("abc123");

    @Test
    void acceptsOnlyTheBearerSchemeWithTheExactToken() {
        assertTrue(token.accepts("Bearer abc123"));
        assertTrue(token.accepts("bearer abc123"), "the scheme is case-insensitive (RFC 7235)");
        assertTrue(token.accepts("Bearer  abc123 "), "surrounding spaces are not part of the token");
        assertFalse(token.accepts("Bearer abc12"));
        assertFalse(token.accepts("Bearer abc1234"));
        assertFalse(token.accepts("Bearer ABC123"), "the token itself is case-sensitive");
        assertFalse(token.accepts("Basic abc123"));
        assertFalse(token.accepts("abc123"));
        assertFalse(token.accepts("Bearer "));
        assertFalse(token.accepts(""));
        assertFalse(token.accepts(null));
    }

    @Test
    void anEmptyTokenIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new BearerToken(" "));
    }
}
