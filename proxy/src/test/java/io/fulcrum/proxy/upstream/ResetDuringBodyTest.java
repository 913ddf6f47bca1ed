package io.fulcrum.proxy.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fulcrum.proxy.daemon.Daemon;
import io.fulcrum.proxy.testing.RawHttp;
import io.fulcrum.proxy.testing.TestConfigs;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A backend that resets the connection just as the proxy forwards the request body: the proxy's
 * write of the body then fails inside the write call, and the retry must still reach the other
 * backend. Found as a flake: the retry's new connection took the file descriptor the failed one had
 * just freed, and an event still pending for the old socket in the same epoll batch closed it.
 *
 * <p>The window is a few microseconds wide, so the test sweeps the backend's delay before its reset
 * across it, many times; every request must reach both backends.
 */
class ResetDuringBodyTest {

    /** Reads a request head, waits for the client's go plus a delay, then resets (SO_LINGER 0). */
    private static final class ResettingBackend implements AutoCloseable {
        final ServerSocket server;
        final AtomicInteger heads = new AtomicInteger();
        final Thread thread;
        volatile long delayNanos;
        volatile boolean bodySent;

        ResettingBackend() throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            thread = new Thread(this::serve, "resetting-backend");
            thread.setDaemon(true);
            thread.start();
        }

        String address() {
            return "127.0.0.1:" + server.getLocalPort();
        }

        private void serve() {
            while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                    s.setTcpNoDelay(true);
                    if (!readHead(s.getInputStream())) {
                        continue;
                    }
                    heads.incrementAndGet();
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
                    while (!bodySent && System.nanoTime() < deadline) {
                        Thread.onSpinWait();
                    }
                    long until = System.nanoTime() + delayNanos;
                    while (System.nanoTime() < until) {
                        Thread.onSpinWait();
                    }
                    s.setSoLinger(true, 0);
                } catch (IOException e) {
                    // closed by the test, or the proxy gave up on the connection
                }
            }
        }

        private static boolean readHead(InputStream in) throws IOException {
            int last4 = 0;
            int b;
            while ((b = in.read()) >= 0) {
                last4 = (last4 << 8) | b;
                if (last4 == 0x0d0a0d0a) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    private ResettingBackend a;
    private ResettingBackend b;
    private Daemon daemon;

    @AfterEach
    void tearDown() throws IOException {
        if (daemon != null) {
            daemon.close();
        }
        a.close();
        b.close();
    }

    @Test
    void aPutWhoseBackendResetsAsTheBodyGoesOutIsRetriedOnTheOtherBackend() throws Exception {
        a = new ResettingBackend();
        b = new ResettingBackend();
        daemon = Daemon.start(TestConfigs.simple(List.of(a.address(), b.address()), 1));
        InetSocketAddress proxy = daemon.listenerAddress("web");
        int rounds = 0;
        for (int delayMicros = 0; delayMicros <= 60; delayMicros += 2) {
            for (int i = 0; i < 5; i++) {
                rounds++;
                a.delayNanos = b.delayNanos = TimeUnit.MICROSECONDS.toNanos(delayMicros);
                a.bodySent = b.bodySent = false;
                int before = a.heads.get() + b.heads.get();
                try (RawHttp raw = new RawHttp(proxy)) {
                    raw.send("PUT /r HTTP/1.1\r\nHost: h\r\nContent-Length: 7\r\n\r\n");
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                    while (a.heads.get() + b.heads.get() == before && System.nanoTime() < deadline) {
                        Thread.onSpinWait();
                    }
                    raw.send("payload");
                    a.bodySent = b.bodySent = true;
                    String answer = raw.readResponse();
                    assertTrue(answer != null && answer.startsWith("HTTP/1.1 502"), "round " + rounds + ": " + answer);
                }
                assertEquals(before + 2, a.heads.get() + b.heads.get(),
                        "round " + rounds + " (delay " + delayMicros + " µs): the PUT reached one backend only");
            }
        }
    }
}
