package io.fulcrum.proxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class HostPortTest {

    @Test
    void parsesHostAndPort() {
        assertEquals(new HostPort("127.0.0.1", 9001), HostPort.parse("127.0.0.1:9001"));
        assertEquals(new HostPort("::1", 80), HostPort.parse("[::1]:80"));
        assertEquals("[::1]:80", HostPort.parse("[::1]:80").toString());
        assertEquals("example.com:443", HostPort.parse(" example.com:443 ").toString());
    }

    @Test
    void rejectsWhatIsNotHostPort() {
        assertThrows(IllegalArgumentException.class, () -> HostPort.parse("127.0.0.1"));
        assertThrows(IllegalArgumentException.class, () -> HostPort.parse("127.0.0.1:"));
        assertThrows(IllegalArgumentException.class, () -> HostPort.parse(":80"));
        assertThrows(IllegalArgumentException.class, () -> HostPort.parse("host:http"));
        assertThrows(IllegalArgumentException.class, () -> HostPort.parse("host:70000"));
        assertThrows(IllegalArgumentException.class, () -> HostPort.parse("::1:80"));
    }
}
