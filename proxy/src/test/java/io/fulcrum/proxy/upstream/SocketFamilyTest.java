package io.fulcrum.proxy.upstream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fulcrum.proxy.daemon.Daemon;
import io.fulcrum.proxy.testing.RawHttp;
import io.fulcrum.proxy.testing.TestBackend;
import io.fulcrum.proxy.testing.TestConfigs;
import io.netty.channel.epoll.Epoll;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * With epoll, sockets take the family of their address: a listener on 127.0.0.1, the connections it
 * accepts and the connections to a backend on 127.0.0.1 are IPv4 sockets, as HAProxy's and NGINX's are
 * (Netty would open dual-stack IPv6 ones, whose every send and receive takes the kernel's IPv6 entry
 * points first). IPv6 addresses keep IPv6 sockets. The kernel's own lists say which is which: IPv4
 * sockets in /proc/net/tcp, IPv6 ones in /proc/net/tcp6.
 */
class SocketFamilyTest {

    private static final String LISTEN = "0A";
    private static final String ESTABLISHED = "01";

    @Test
    void ipv4AddressesGetIpv4Sockets() throws Exception {
        assertTrue(Epoll.isAvailable(), "these tests read Linux's socket tables; CI runs on Linux with epoll");
        try (TestBackend backend = new TestBackend("v4");
             Daemon daemon = Daemon.start(TestConfigs.simple(List.of(backend.address()), 0))) {
            int listenerPort = daemon.listenerAddress("web").getPort();
            try (RawHttp raw = new RawHttp(daemon.listenerAddress("web"))) {
                String answer = raw.send("GET /hello HTTP/1.1\r\nHost: h\r\n\r\n").readResponse();
                assertTrue(answer.startsWith("HTTP/1.1 200 "), answer);

                assertTrue(has("tcp", LISTEN, listenerPort, 0), "the listener is an IPv4 socket");
                assertTrue(has("tcp", ESTABLISHED, listenerPort, 0), "the accepted client connection is one too");
                assertTrue(has("tcp", ESTABLISHED, 0, backend.port()), "the pooled backend connection is one too");
                assertFalse(has("tcp6", LISTEN, listenerPort, 0), "and none of them is an IPv6 socket");
                assertFalse(has("tcp6", ESTABLISHED, 0, backend.port()), "the backend connection neither");
            }
        }
    }

    @Test
    void ipv6AddressesKeepIpv6Sockets() throws Exception {
        assertTrue(Epoll.isAvailable(), "these tests read Linux's socket tables; CI runs on Linux with epoll");
        try (TestBackend backend = new TestBackend("v6", "::1");
             Daemon daemon = Daemon.start(TestConfigs.simple("::1", List.of(backend.address()), 0))) {
            int listenerPort = daemon.listenerAddress("web").getPort();
            try (RawHttp raw = new RawHttp(daemon.listenerAddress("web"))) {
                String answer = raw.send("GET /hello HTTP/1.1\r\nHost: h\r\n\r\n").readResponse();
                assertTrue(answer.startsWith("HTTP/1.1 200 "), answer);

                assertTrue(has("tcp6", LISTEN, listenerPort, 0), "a listener on [::1] is an IPv6 socket");
                assertTrue(has("tcp6", ESTABLISHED, 0, backend.port()), "so is the connection to a backend on [::1]");
            }
        }
    }

    /**
     * Whether /proc/net/{@code table} lists a socket in state {@code st} (hex, as the kernel writes it)
     * with the local port, or the remote port, given (0 = any).
     */
    private static boolean has(String table, String st, int localPort, int remotePort) throws IOException {
        List<String> lines = Files.readAllLines(Path.of("/proc/net", table));
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.trim().split("\\s+");
            if (f[3].equals(st)
                    && (localPort == 0 || port(f[1]) == localPort)
                    && (remotePort == 0 || port(f[2]) == remotePort)) {
                return true;
            }
        }
        return false;
    }

    /** The port of an "address:port" column, both in hex. */
    private static int port(String column) {
        return Integer.parseInt(column.substring(column.indexOf(':') + 1), 16);
    }
}
