package io.fulcrum.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProbeSettingsTest {

    @Test
    void thePathGoesIntoTheRequestLineAsItIsSoOnlyPrintableAsciiWithoutSpacesPasses() {
        assertTrue(ProbeSettings.isRequestPath("/healthz"));
        assertTrue(ProbeSettings.isRequestPath("/status?full=1&fmt=json%20x"));
        assertFalse(ProbeSettings.isRequestPath("/health z"));
        assertFalse(ProbeSettings.isRequestPath("/healthz HTTP/1.0\r\nX-Injected: 1"));
        assertFalse(ProbeSettings.isRequestPath("/h\tz"));
        assertFalse(ProbeSettings.isRequestPath("/sant\u00e9"));
        assertFalse(ProbeSettings.isRequestPath("/del\u007f"));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ProbeSettings(
                ProbeType.HTTP, "/a b", Duration.ofSeconds(2), Duration.ofSeconds(1), 2, 3, 0));
        assertEquals("health path must be printable ASCII without spaces, got '/a b'", e.getMessage());
    }
}
