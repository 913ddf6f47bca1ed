package io.fulcrum.proxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fulcrum.proxy.daemon.Daemon;
import io.fulcrum.proxy.testing.TestBackend;
import io.fulcrum.proxy.testing.TestConfigs;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * 100 MB each way through the proxy while its pooled buffer memory stays small: bodies stream with
 * backpressure and are never gathered (SPEC section 6).
 */
class StreamingTest {

    private static final long SIZE = 100L * 1024 * 1024;
    /**
     * Bound on the pooled direct memory in use while 100 MB pass. The proxy holds at most a socket read's
     * worth per direction plus the channels' outbound buffers (64 KiB high-water marks); the test
     * backend and its client share the allocator, so the bound leaves room for them, yet is a small
     * fraction of the body: gathering it would show as ~100 MB.
     */
    private static final long MEMORY_BOUND = 24L * 1024 * 1024;

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private TestBackend backend;
    private Daemon daemon;
    private InetSocketAddress proxy;
    private final AtomicLong peak = new AtomicLong();
    private final AtomicBoolean sampling = new AtomicBoolean(true);
    private Thread sampler;

    @BeforeEach
    void setUp() {
        backend = new TestBackend("big");
        daemon = Daemon.start(TestConfigs.simple(List.of(backend.address()), 0));
        proxy = daemon.listenerAddress("web");
        sampler = new Thread(() -> {
            while (sampling.get()) {
                peak.accumulateAndGet(PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory(), Math::max);
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        sampler.start();
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        sampling.set(false);
        sampler.join();
        daemon.close();
        backend.close();
    }

    @Test
    void hundredMegabyteUploadStreams() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.getPort() + "/upload"))
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> new ZeroStream(SIZE)), SIZE))
                .build();
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        assertEquals(Long.toString(SIZE), response.body());
        System.out.println("pooled direct memory peak: " + peak.get() / 1024 + " KiB");
        assertTrue(peak.get() < MEMORY_BOUND, "pooled direct memory peaked at " + peak.get());
    }

    @Test
    void hundredMegabyteChunkedDownloadStreams() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.getPort() + "/bytes/" + SIZE))
                .timeout(Duration.ofSeconds(60)).build();
        HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, response.statusCode());
        long total = 0;
        byte[] buf = new byte[65536];
        try (InputStream in = response.body()) {
            int n;
            while ((n = in.read(buf)) > 0) {
                total += n;
                if (total < 4 * 1024 * 1024) {
                    // A slow start on the client side: the proxy must stop reading the backend meanwhile.
                    Thread.sleep(1);
                }
            }
        }
        assertEquals(SIZE, total);
        System.out.println("pooled direct memory peak: " + peak.get() / 1024 + " KiB");
        assertTrue(peak.get() < MEMORY_BOUND, "pooled direct memory peaked at " + peak.get());
    }

    /** An input stream of {@code size} zero bytes that exists only as a counter. */
    private static final class ZeroStream extends InputStream {
        private long left;

        ZeroStream(long size) {
            this.left = size;
        }

        @Override
        public int read() {
            if (left <= 0) {
                return -1;
            }
            left--;
            return 0;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (left <= 0) {
                return -1;
            }
            int n = (int) Math.min(len, left);
            java.util.Arrays.fill(b, off, off + n, (byte) 0);
            left -= n;
            return n;
        }
    }
}
