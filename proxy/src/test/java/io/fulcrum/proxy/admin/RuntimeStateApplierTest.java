package io.fulcrum.proxy.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fulcrum.admin.state.RuntimeState;
import io.fulcrum.admin.state.StateOverride;
import io.fulcrum.health.HealthStatus;
import io.fulcrum.proxy.backend.AdminState;
import io.fulcrum.proxy.backend.Backend;
import io.fulcrum.proxy.backend.BackendPool;
import io.fulcrum.proxy.backend.Pools;
import io.fulcrum.proxy.config.HostPort;
import io.fulcrum.proxy.testing.TestConfigs;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** How stored API changes are laid over pools built from a config: each kind, idempotence, leftovers. */
class RuntimeStateApplierTest {

    private static final String A = "127.0.0.1:9001";
    private static final String B = "127.0.0.1:9002";
    private static final String C = "127.0.0.1:9003";

    private final ScheduledExecutorService control = Executors.newSingleThreadScheduledExecutor();
    private Pools pools;
    private BackendPool web;
    private final List<String> events = new ArrayList<>();

    @BeforeEach
    void build() {
        pools = new Pools(control);
        List<Backend> backends = new ArrayList<>();
        for (String id : List.of(A, B)) {
            HostPort hp = HostPort.parse(id);
            backends.add(new Backend(hp, hp.resolve(), 100, Backend.Source.CONFIG, HealthStatus.UP));
        }
        web = pools.addPool(TestConfigs.pool("web", "round-robin", List.of(A, B), 0), backends);
        pools.addListener(new Pools.Listener() {
            @Override
            public void backendAdded(BackendPool pool, Backend backend) {
                events.add("added " + backend.id());
            }

            @Override
            public void backendRemoved(BackendPool pool, Backend backend) {
                events.add("removed " + backend.id());
            }

            @Override
            public void backendChanged(BackendPool pool, Backend backend) {
                events.add("changed " + backend.id() + " " + backend.adminState().word() + " " + backend.weight());
            }
        });
    }

    @AfterEach
    void stop() {
        control.shutdownNow();
    }

    private Backend backend(String id) {
        return web.find(id).orElseThrow();
    }

    @Test
    void anEmptyStateChangesNothing() {
        RuntimeStateApplier.apply(RuntimeState.empty(), pools);
        assertEquals(List.of(), events);
    }

    @Test
    void anAddedBackendIsCreatedUnknownFromTheApiWithItsWeight() {
        RuntimeStateApplier.apply(RuntimeState.empty().withAdded("web", C, 30), pools);
        Backend c = backend(C);
        assertEquals(30, c.weight());
        assertEquals(HealthStatus.UNKNOWN, c.health());
        assertEquals(Backend.Source.API, c.source());
        assertFalse(c.isSelectable(), "no traffic before its rise probes");
        assertEquals(List.of("added " + C), events);
    }

    @Test
    void anAddedBackendTheConfigAlsoHasIsKeptAndMarkedFromTheApi() {
        RuntimeStateApplier.apply(RuntimeState.empty().withAdded("web", A, 40), pools);
        assertEquals(2, web.backends().size());
        assertEquals(Backend.Source.API, backend(A).source());
        assertEquals(40, backend(A).weight());
        assertEquals(HealthStatus.UP, backend(A).health());
    }

    @Test
    void weightsAndStatesOverrideTheConfig() {
        RuntimeState s = RuntimeState.empty().withWeight("web", A, 7)
                .withState("web", B, Optional.of(StateOverride.DISABLED));
        RuntimeStateApplier.apply(s, pools);
        assertEquals(7, backend(A).weight());
        assertEquals(Backend.Source.CONFIG, backend(A).source(), "a patched config backend stays from the config");
        assertEquals(AdminState.DISABLED, backend(B).adminState());
    }

    @Test
    void aStoredDrainEndsDrainedWhenNothingIsInFlight() throws Exception {
        RuntimeStateApplier.apply(RuntimeState.empty().withState("web", A, Optional.of(StateOverride.DRAINING)), pools);
        assertTrue(backend(A).adminState() == AdminState.DRAINING || backend(A).adminState() == AdminState.DRAINED);
        // The drain completes on the control thread; a task queued behind it sees the result.
        control.submit(() -> { }).get(5, TimeUnit.SECONDS);
        assertEquals(AdminState.DRAINED, backend(A).adminState());
    }

    @Test
    void aRemovedConfigBackendIsLeftOut() {
        RuntimeStateApplier.apply(RuntimeState.empty().withRemoved("web", B), pools);
        assertEquals(List.of(A), web.backends().stream().map(Backend::id).toList());
        assertTrue(events.contains("removed " + B));
    }

    @Test
    void aRemovedBackendThatIsDrainingIsLeftToItsDrain() {
        pools.drain(web, backend(B));
        RuntimeStateApplier.apply(RuntimeState.empty().withRemoved("web", B), pools);
        assertTrue(web.find(B).isPresent(), "the pending drain removes it, not a cut");
    }

    @Test
    void applyingTwiceChangesNothingTheSecondTime() {
        RuntimeState s = RuntimeState.empty().withAdded("web", C, 30).withWeight("web", A, 7)
                .withState("web", B, Optional.of(StateOverride.DISABLED));
        RuntimeStateApplier.apply(s, pools);
        List<String> first = List.copyOf(events);
        RuntimeStateApplier.apply(s, pools);
        assertEquals(first, events);
        assertEquals(3, web.backends().size());
    }

    @Test
    void overridesOfUnknownPoolsAndBackendsChangeNothing() {
        RuntimeState s = RuntimeState.empty().withWeight("gone", A, 5).withWeight("web", C, 5)
                .withState("web", C, Optional.of(StateOverride.DISABLED));
        RuntimeStateApplier.apply(s, pools);
        assertEquals(List.of(), events);
        assertEquals(2, web.backends().size());
    }

    @Test
    void aStoredIdThatIsNotHostPortIsAnErrorNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RuntimeStateApplier.apply(RuntimeState.empty().withAdded("web", "no-port", 5), pools));
        assertTrue(e.getMessage().contains("'no-port'"), e.getMessage());
        assertTrue(e.getMessage().contains("'web'"), e.getMessage());
    }
}
