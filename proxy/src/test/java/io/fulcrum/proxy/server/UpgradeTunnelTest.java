package io.fulcrum.proxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fulcrum.proxy.daemon.Daemon;
import io.fulcrum.proxy.testing.RawHttp;
import io.fulcrum.proxy.testing.TestConfigs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Upgrade requests (WebSocket and the like) become a byte tunnel after the backend's 101 (SPEC section 6). */
class UpgradeTunnelTest {

    private ServerSocket server;
    private Thread serverThread;
    private final AtomicReference<String> seenHead = new AtomicReference<>();
    private Daemon daemon;

    @BeforeEach
    void setUp() throws IOException {
        // A backend that accepts "Upgrade: echo" and then echoes every byte back, uppercased.
        server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        serverThread = new Thread(() -> {
            try (Socket s = server.accept()) {
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                seenHead.set(readHead(in));
                out.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                int b;
                while ((b = in.read()) >= 0) {
                    out.write(Character.toUpperCase(b));
                    out.flush();
                }
            } catch (IOException e) {
                // the test ended the connection
            }
        });
        serverThread.setDaemon(true);
        serverThread.start();
        daemon = Daemon.start(TestConfigs.simple(List.of("127.0.0.1:" + server.getLocalPort()), 0));
    }

    @AfterEach
    void tearDown() throws IOException {
        daemon.close();
        server.close();
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    void upgradedConnectionRelaysBytesBothWays() throws Exception {
        try (RawHttp raw = new RawHttp(daemon.listenerAddress("web"))) {
            String head = raw.send("GET /chat HTTP/1.1\r\nHost: h\r\nConnection: keep-alive, Upgrade\r\nUpgrade: echo\r\n\r\n")
                    .readHeadOnly();
            assertTrue(head.startsWith("HTTP/1.1 101"), head);
            assertTrue(head.toLowerCase().contains("upgrade: echo"), head);
            assertTrue(head.toLowerCase().contains("connection: upgrade"), head);
            raw.send("hello, tunnel");
            assertEquals("HELLO, TUNNEL", raw.readBytes(13));
            // What looks like HTTP is just bytes now: it is not parsed, it is relayed.
            raw.send("get / http/1.1\r\n");
            assertEquals("GET / HTTP/1.1\r\n", raw.readBytes(16));
        }
        String backendSaw = seenHead.get().toLowerCase();
        assertTrue(backendSaw.contains("upgrade: echo"), backendSaw);
        assertTrue(backendSaw.contains("connection: upgrade"), backendSaw);
        assertTrue(backendSaw.contains("x-forwarded-for: 127.0.0.1"), backendSaw);
    }
}
