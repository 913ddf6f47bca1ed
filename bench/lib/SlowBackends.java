import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Backends of bounded capacity for bench/degraded.sh, run with the single-source launcher:
 *
 * <pre>java SlowBackends.java PORT:SLOTS:SERVICE_MS:CPU ...</pre>
 *
 * One HTTP/1.1 keep-alive server per argument, on 127.0.0.1:PORT. {@code GET /} waits for one of
 * SLOTS slots (a fair semaphore, so first come first served), holds it for SERVICE_MS and answers
 * 13 bytes: when requests come faster than SLOTS / SERVICE_MS per second they queue and latency
 * grows with load, as on a real server short of CPU or workers. {@code GET /healthz} answers at
 * once with {@code endpoint-load-metrics: TEXT cpu_utilization=CPU} (SPEC section 5), and
 * {@code GET /stats} with {@code {"requests":N,"queuedMax":M}} for {@code /} so far, which the
 * script reads directly to count each backend's share.
 *
 * <p>Threading: the JDK server parses requests on its dispatcher thread and runs each exchange on
 * a cached pool thread, so a request waiting for a slot blocks only its own pool thread; the
 * counters are atomics read by any thread. Runs until killed.
 */
public final class SlowBackends {

    private static final byte[] HELLO = "Hello, world!".getBytes(StandardCharsets.US_ASCII);

    private SlowBackends() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length == 0) {
            System.err.println("usage: java SlowBackends.java PORT:SLOTS:SERVICE_MS:CPU ...");
            System.exit(2);
        }
        ExecutorService pool = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "backend-exchange");
            thread.setDaemon(true);
            return thread;
        });
        for (String spec : args) {
            String[] parts = spec.split(":");
            start(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), Long.parseLong(parts[2]),
                    parts[3], pool);
        }
    }

    private static void start(int port, int slots, long serviceMs, String cpu, ExecutorService pool)
            throws IOException {
        Semaphore free = new Semaphore(slots, true);
        AtomicLong served = new AtomicLong();
        AtomicInteger waiting = new AtomicInteger();
        AtomicInteger waitingMax = new AtomicInteger();
        byte[] healthBody = "ok\n".getBytes(StandardCharsets.US_ASCII);

        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1024);
        server.setExecutor(pool);
        server.createContext("/", exchange -> {
            try (exchange) {
                String path = exchange.getRequestURI().getPath();
                exchange.getRequestBody().readAllBytes();
                switch (path) {
                    case "/" -> {
                        waitingMax.accumulateAndGet(waiting.incrementAndGet(), Math::max);
                        free.acquireUninterruptibly();
                        waiting.decrementAndGet();
                        try {
                            Thread.sleep(serviceMs);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        } finally {
                            free.release();
                        }
                        served.incrementAndGet();
                        send(exchange, 200, "text/plain", HELLO);
                    }
                    case "/healthz" -> {
                        exchange.getResponseHeaders().add("endpoint-load-metrics", "TEXT cpu_utilization=" + cpu);
                        send(exchange, 200, "text/plain", healthBody);
                    }
                    case "/stats" -> send(exchange, 200, "application/json",
                            ("{\"requests\":" + served.get() + ",\"queuedMax\":" + waitingMax.get() + "}")
                                    .getBytes(StandardCharsets.US_ASCII));
                    default -> send(exchange, 404, "text/plain", "not found\n".getBytes(StandardCharsets.US_ASCII));
                }
            }
        });
        server.start();
    }

    private static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
