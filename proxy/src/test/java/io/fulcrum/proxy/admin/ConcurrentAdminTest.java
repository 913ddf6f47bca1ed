package io.fulcrum.proxy.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fulcrum.proxy.daemon.Daemon;
import io.fulcrum.proxy.testing.TestBackend;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Admin calls from several clients at once while traffic runs: traffic never fails (backend a is never
 * touched, so something is always selectable), the API never answers a 5xx, and what the API shows at
 * the end is exactly what a restart brings back from the state file.
 */
class ConcurrentAdminTest {

    @TempDir
    Path dir;
    private final TestBackend a = new TestBackend("a");
    private final TestBackend b = new TestBackend("b");
    private final TestBackend c = new TestBackend("c");
    private final TestBackend d = new TestBackend("d");
    private Daemon daemon;

    @AfterEach
    void stop() {
        if (daemon != null) {
            daemon.close();
        }
        a.close();
        b.close();
        c.close();
        d.close();
    }

    @Test
    void concurrentAdminCallsWhileTrafficRuns() throws Exception {
        // A forced DELETE cuts the requests in flight on its backend; with retries they go to another
        // backend (a is never touched), so the clients still see no failure.
        Path conf = AdminFixture.writeConfig(dir, List.of(a.address(), b.address()), 2);
        daemon = AdminFixture.start(conf);
        AtomicBoolean running = new AtomicBoolean(true);
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        AtomicInteger served = new AtomicInteger();
        List<Thread> traffic = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            Thread th = new Thread(() -> {
                while (running.get()) {
                    try {
                        HttpResponse<String> r = AdminFixture.traffic(daemon, "/x");
                        if (r.statusCode() != 200) {
                            failures.add("traffic " + r.statusCode() + " " + r.body());
                        }
                        served.incrementAndGet();
                    } catch (Exception e) {
                        failures.add("traffic " + e);
                    }
                }
            }, "traffic-" + t);
            th.start();
            traffic.add(th);
        }

        int rounds = 20;
        CountDownLatch done = new CountDownLatch(2);
        List<Thread> admins = List.of(
                adminThread("admin-b", 1, rounds, failures, done, b.address()),
                adminThread("admin-cd", 2, rounds, failures, done, null));
        admins.forEach(Thread::start);
        done.await();
        running.set(false);
        for (Thread th : traffic) {
            th.join(10_000);
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
        assertTrue(served.get() > 0);

        AdminClient api = AdminFixture.client(daemon);
        AdminFixture.await("no drain is left running", () -> {
            for (JsonNode n : api.json("/api/v1/pools/web").get("backends")) {
                if (n.get("state").asText().equals("draining")) {
                    return false;
                }
            }
            return true;
        });
        Map<String, String> before = summary(api);
        assertTrue(before.containsKey(a.address()));
        daemon.close();
        daemon = AdminFixture.start(conf);
        AdminClient again = AdminFixture.client(daemon);
        AdminFixture.await("drains re-applied after the restart end", () -> summary(again).equals(before));
    }

    /** id → "weight state source" of every backend, for comparing two daemons. */
    private static Map<String, String> summary(AdminClient api) {
        Map<String, String> m = new TreeMap<>();
        for (JsonNode n : api.json("/api/v1/pools/web").get("backends")) {
            m.put(n.get("id").asText(), n.get("weight").asInt() + " " + n.get("state").asText() + " "
                    + n.get("source").asText());
        }
        return m;
    }

    /**
     * Runs {@code rounds} admin calls chosen with a fixed seed: on {@code configBackend} (b) when given,
     * else on c and d, which it adds and removes. Any answer but those the API documents is a failure.
     */
    private Thread adminThread(String name, long seed, int rounds, ConcurrentLinkedQueue<String> failures,
                               CountDownLatch done, String configBackend) {
        AdminClient api = AdminFixture.client(daemon);
        Random random = new Random(seed);
        String web = "/api/v1/pools/web/backends";
        Set<Integer> allowed = Set.of(200, 201, 202, 404, 408, 409);
        return new Thread(() -> {
            try {
                for (int i = 0; i < rounds; i++) {
                    String target = configBackend != null ? configBackend : (random.nextBoolean() ? c.address() : d.address());
                    HttpResponse<String> r = switch (random.nextInt(6)) {
                        case 0 -> api.post(web, "{\"address\":\"" + target + "\",\"weight\":" + (1 + random.nextInt(1000)) + "}");
                        case 1 -> api.patch(web + "/" + target, "{\"weight\":" + (1 + random.nextInt(1000)) + "}");
                        case 2 -> api.patch(web + "/" + target, "{\"state\":\"" + (random.nextBoolean() ? "active" : "disabled") + "\"}");
                        case 3 -> api.post(web + "/" + target + "/drain?wait=" + random.nextInt(50) + "ms", null);
                        case 4 -> api.delete(web + "/" + target + (random.nextBoolean() ? "?force=true" : ""));
                        default -> api.get("/metrics");
                    };
                    if (!allowed.contains(r.statusCode())) {
                        failures.add(name + ": " + r.request().method() + " " + r.request().uri() + " -> "
                                + r.statusCode() + " " + r.body());
                    }
                }
            } catch (Throwable t) {
                failures.add(name + ": " + t);
            } finally {
                done.countDown();
            }
        }, name);
    }
}
