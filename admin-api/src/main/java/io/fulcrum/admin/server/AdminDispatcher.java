package io.fulcrum.admin.server;

import io.fulcrum.admin.AdminException;
import io.fulcrum.admin.AdminService;
import io.fulcrum.admin.BackendView;
import io.fulcrum.admin.DrainStarted;
import io.fulcrum.admin.PoolView;
import io.fulcrum.admin.ReloadResult;
import io.netty.handler.codec.http.HttpMethod;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a routed, authorised request into an {@link AdminResponse}: checks parameters, calls the
 * {@link AdminService} on the worker (one thread, so admin changes are serialised and may block on
 * fsync), and maps its answers and refusals to statuses and JSON.
 *
 * <p>Threading: {@link #dispatch} is called on the admin event loop and never blocks it; the
 * returned future completes on the worker, on the event loop (drain timeouts) or on the daemon's
 * thread that finished a drain. The {@code timer} is the admin event loop itself: a drain wait is a
 * scheduled task there, not a blocked thread.
 */
final class AdminDispatcher {

    private static final Logger LOG = LoggerFactory.getLogger(AdminDispatcher.class);

    private final AdminService service;
    private final ExecutorService worker;

    AdminDispatcher(AdminService service, ExecutorService worker) {
        this.service = service;
        this.worker = worker;
    }

    CompletableFuture<AdminResponse> dispatch(AdminRequest req, ScheduledExecutorService timer) {
        try {
            return route(req, timer);
        } catch (AdminException e) {
            return CompletableFuture.completedFuture(AdminResponse.of(e));
        }
    }

    private CompletableFuture<AdminResponse> route(AdminRequest req, ScheduledExecutorService timer) {
        Route r = req.route();
        HttpMethod m = req.method();
        switch (r.endpoint()) {
            case METRICS:
                onlyParams(req);
                return onWorker(() -> AdminResponse.text(200, AdminResponse.PROMETHEUS, service.prometheusScrape()));
            case STATUS:
                onlyParams(req);
                return onWorker(() -> AdminResponse.json(200, AdminJson.status(service.status())));
            case POOLS:
                onlyParams(req);
                return onWorker(() -> AdminResponse.json(200, AdminJson.pools(service.pools())));
            case POOL:
                onlyParams(req);
                return onWorker(() -> AdminResponse.json(200, AdminJson.pool(service.pool(r.pool()))));
            case BACKENDS: {
                onlyParams(req);
                RequestBodies.NewBackend nb = RequestBodies.newBackend(req.body());
                return onWorker(() -> {
                    BackendView added = service.addBackend(r.pool(), nb.address(), nb.weight());
                    LOG.info("admin {}: added backend {} to pool {} with weight {}", req.remote(), added.id(), r.pool(), nb.weight());
                    return AdminResponse.json(201, AdminJson.backend(added))
                            .withHeader("Location", "/api/v1/pools/" + r.pool() + "/backends/" + added.id());
                });
            }
            case BACKEND:
                return backend(req, m);
            case DRAIN:
                return drain(req, timer);
            case RELOAD:
                onlyParams(req);
                return onWorker(() -> {
                    ReloadResult result = service.reload();
                    if (result.applied()) {
                        LOG.info("admin {}: reload applied, generation {}", req.remote(), result.generation());
                        return AdminResponse.json(200, AdminJson.generation(result.generation()));
                    }
                    LOG.warn("admin {}: reload rejected: {}", req.remote(), result.errors());
                    return AdminResponse.json(422, AdminJson.reloadRejected(result.errors()));
                });
            default:
                throw new IllegalStateException("the handler answers " + r.endpoint() + " itself");
        }
    }

    private CompletableFuture<AdminResponse> backend(AdminRequest req, HttpMethod m) {
        Route r = req.route();
        if (m.equals(HttpMethod.GET)) {
            onlyParams(req);
            return onWorker(() -> AdminResponse.json(200, AdminJson.backend(find(service.pool(r.pool()), r.backendId()))));
        }
        if (m.equals(HttpMethod.PATCH)) {
            onlyParams(req);
            var patch = RequestBodies.patch(req.body());
            return onWorker(() -> {
                BackendView b = service.patchBackend(r.pool(), r.backendId(), patch);
                LOG.info("admin {}: patched backend {} of pool {}: weight {} state {}", req.remote(), r.backendId(), r.pool(),
                        patch.weight().isPresent() ? patch.weight().getAsInt() : "-",
                        patch.state().map(s -> s.word()).orElse("-"));
                return AdminResponse.json(200, AdminJson.backend(b));
            });
        }
        // DELETE: 202 while the drain runs (the removal completes later), 200 with force (already gone).
        onlyParams(req, "force");
        boolean force = flag(req, "force");
        return onWorker(() -> {
            BackendView b = service.removeBackend(r.pool(), r.backendId(), force);
            LOG.info("admin {}: removing backend {} from pool {}{}", req.remote(), r.backendId(), r.pool(), force ? " (force)" : " after drain");
            return AdminResponse.json(force ? 200 : 202, AdminJson.backend(b));
        });
    }

    private CompletableFuture<AdminResponse> drain(AdminRequest req, ScheduledExecutorService timer) {
        Route r = req.route();
        onlyParams(req, "wait");
        Optional<Duration> wait = param(req, "wait").map(w -> {
            try {
                return WaitDuration.parse(w);
            } catch (IllegalArgumentException e) {
                throw AdminException.badRequest("wait: " + e.getMessage());
            }
        });
        return onWorker(() -> {
            DrainStarted started = service.drain(r.pool(), r.backendId());
            LOG.info("admin {}: draining backend {} of pool {}", req.remote(), r.backendId(), r.pool());
            return started;
        }, started -> wait.isEmpty()
                ? CompletableFuture.completedFuture(AdminResponse.json(202, AdminJson.backend(started.backend())))
                : awaitDrained(started, wait.get(), r, timer));
    }

    /** First of: drained (200, or the refusal the drain ended with) and the wait running out (408). */
    private static CompletableFuture<AdminResponse> awaitDrained(DrainStarted started, Duration wait, Route r,
                                                                 ScheduledExecutorService timer) {
        CompletableFuture<AdminResponse> answer = new CompletableFuture<>();
        ScheduledFuture<?> timeout = timer.schedule(() -> answer.complete(AdminResponse.error(408, "drain timeout",
                "backend '" + r.backendId() + "' of pool '" + r.pool() + "' still has requests in flight after "
                        + wait.toMillis() + "ms; it keeps draining")), wait.toNanos(), TimeUnit.NANOSECONDS);
        // Never cancel the daemon's future: other waiters and the removal may depend on it.
        started.drained().whenComplete((view, err) -> {
            timeout.cancel(false);
            answer.complete(err == null ? AdminResponse.json(200, AdminJson.backend(view)) : failure(err));
        });
        return answer;
    }

    private static BackendView find(PoolView pool, String id) {
        return pool.backends().stream().filter(b -> b.id().equals(id)).findFirst()
                .orElseThrow(() -> AdminException.unknownBackend(pool.name(), id));
    }

    private CompletableFuture<AdminResponse> onWorker(Supplier<AdminResponse> call) {
        return onWorker(call::get, CompletableFuture::completedFuture);
    }

    private <T> CompletableFuture<AdminResponse> onWorker(Supplier<T> call,
                                                          java.util.function.Function<T, CompletableFuture<AdminResponse>> then) {
        CompletableFuture<T> result;
        try {
            result = CompletableFuture.supplyAsync(call, worker);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.completedFuture(AdminResponse.error(503, "admin busy",
                    "too many admin requests are queued; retry shortly"));
        }
        return result.thenCompose(then).exceptionally(AdminDispatcher::failure);
    }

    private static AdminResponse failure(Throwable t) {
        Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        if (cause instanceof AdminException) {
            return AdminResponse.of((AdminException) cause);
        }
        LOG.error("admin call failed", cause);
        return AdminResponse.error(500, "internal error", String.valueOf(cause));
    }

    private static void onlyParams(AdminRequest req, String... known) {
        Set<String> allowed = Set.of(known);
        for (String name : req.params().keySet()) {
            if (!allowed.contains(name)) {
                throw AdminException.badRequest("unknown query parameter '" + name + "'"
                        + (known.length == 0 ? "" : " (known: " + String.join(", ", known) + ")"));
            }
        }
    }

    private static Optional<String> param(AdminRequest req, String name) {
        List<String> values = req.params().get(name);
        if (values == null || values.isEmpty()) {
            return Optional.empty();
        }
        if (values.size() > 1) {
            throw AdminException.badRequest("query parameter '" + name + "' given more than once");
        }
        return Optional.of(values.get(0));
    }

    /** {@code ?force}, {@code ?force=true} → true; {@code ?force=false} or absent → false. */
    private static boolean flag(AdminRequest req, String name) {
        Optional<String> v = param(req, name);
        if (v.isEmpty()) {
            return req.params().containsKey(name);
        }
        switch (v.get()) {
            case "":
            case "true":
                return true;
            case "false":
                return false;
            default:
                throw AdminException.badRequest(name + " must be true or false, not '" + v.get() + "'");
        }
    }
}
