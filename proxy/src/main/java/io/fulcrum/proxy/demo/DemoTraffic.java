package io.fulcrum.proxy.demo;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * A gentle client for {@code fulcrum demo}: about 20 requests a second through the proxy, so the
 * demo's periodic line shows the balancing without the newcomer needing a load tool.
 */
public final class DemoTraffic implements AutoCloseable {

    private final Thread thread;
    private volatile boolean running = true;

    public DemoTraffic(String hostPort) {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + hostPort + "/demo"))
                .timeout(Duration.ofSeconds(5)).build();
        thread = new Thread(() -> {
            while (running) {
                try {
                    client.send(request, HttpResponse.BodyHandlers.discarding());
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    // The proxy is starting or stopping: try again shortly.
                    try {
                        Thread.sleep(500);
                    } catch (InterruptedException ie) {
                        return;
                    }
                }
            }
        }, "demo-traffic");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
