package io.fulcrum.health;

import static io.fulcrum.health.HealthStatus.DOWN;
import static io.fulcrum.health.HealthStatus.UNKNOWN;
import static io.fulcrum.health.HealthStatus.UP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.fulcrum.health.report.AgentState;
import io.fulcrum.health.report.LoadReport;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import io.fulcrum.testsupport.TestAgent;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The checker against real loopback servers, with 50 ms probe intervals. */
class HealthCheckerTest {

    private static final Duration INTERVAL = Duration.ofMillis(50);
    /** Generous: a cold JVM on a busy 2-core machine can take tens of ms over its first probe. */
    private static final Duration TIMEOUT = Duration.ofMillis(500);
    private static final Duration WAIT = Duration.ofSeconds(5);

    private final HealthChecker checker = new HealthChecker(new Random(7));

    @AfterEach
    void close() {
        checker.close();
    }

    private static ProbeSettings http(int rise, int fall) {
        return new ProbeSettings(ProbeType.HTTP, "/healthz", INTERVAL, TIMEOUT, rise, fall, 0);
    }

    private static ProbeSettings tcp() {
        return new ProbeSettings(ProbeType.TCP, "/", INTERVAL, TIMEOUT, 2, 2, 0);
    }

    @Test
    void probesRunOnAThreadBelowTheEventLoopsPriority() throws Exception {
        try (TestHttpBackend backend = new TestHttpBackend()) {
            AtomicInteger nice = new AtomicInteger(-100);
            HealthListener l = (id, from, to) -> nice.set(NiceThreadFactoryTest.currentNice());
            checker.register(new HealthTarget(backend.id(), backend.address(), http(1, 1), UNKNOWN, l));
            Poll.until(() -> nice.get() != -100, WAIT, "the first probe's transition");
            assertEquals(HealthChecker.PROBE_NICE, nice.get(), "nice value of the checker's thread");
        }
    }

    @Test
    void httpProbeFallsAfterFallFailuresAndRisesAfterRisePasses() throws Exception {
        try (TestHttpBackend backend = new TestHttpBackend()) {
            RecordingListener l = new RecordingListener();
            checker.register(new HealthTarget(backend.id(), backend.address(), http(2, 3), UP, l));
            Poll.until(() -> backend.requests.get() >= 2, WAIT, "first probes");
            assertEquals(UP, checker.status(backend.id()));
            assertEquals(backend.id(), backend.lastHost.get(), "Host: the backend address");
            assertEquals("fulcrum-health", backend.lastUserAgent.get());
            assertEquals("/healthz", backend.lastUri.get());
            assertTrue(l.transitions.isEmpty(), "a passing backend that starts UP says nothing");

            backend.status.set(503);
            int before = backend.requests.get();
            Poll.until(() -> checker.status(backend.id()) == DOWN, WAIT, "DOWN");
            assertTrue(backend.requests.get() - before >= 3, "at least fall = 3 failing probes");

            backend.status.set(302); // 3xx passes too
            Poll.until(() -> l.transitions.size() == 2, WAIT, "UP again");
            assertEquals(UP, checker.status(backend.id()));
            assertEquals(List.of(UP, DOWN), l.transitions.stream().map(RecordingListener.Transition::from).toList());
            assertEquals(List.of(DOWN, UP), l.transitions.stream().map(RecordingListener.Transition::to).toList());
            assertTrue(l.threads.stream().allMatch(t -> t.startsWith("fulcrum-health")), "" + l.threads);
            assertTrue(backend.openConnections.get() <= 1, "one probe connection at a time");
        }
    }

    @Test
    void passingProbesShareOneKeptAliveConnectionAndAFailingBackendGetsFreshOnes() throws Exception {
        try (TestHttpBackend backend = new TestHttpBackend()) {
            RecordingListener l = new RecordingListener();
            checker.register(new HealthTarget(backend.id(), backend.address(), http(1, 1), UP, l));
            Poll.until(() -> backend.requests.get() >= 6, WAIT, "six probes");
            assertEquals(1, backend.acceptedConnections.get(), "passing probes reuse their connection");
            assertEquals(1, backend.openConnections.get());

            backend.status.set(500);
            Poll.until(() -> checker.status(backend.id()) == DOWN, WAIT, "DOWN");
            int accepted = backend.acceptedConnections.get();
            int requests = backend.requests.get();
            Poll.until(() -> backend.requests.get() >= requests + 3, WAIT, "three more failing probes");
            assertTrue(backend.acceptedConnections.get() >= accepted + 2,
                    "a failing answer drops the connection: the next probe tests the accept path too");

            backend.status.set(200);
            Poll.until(() -> checker.status(backend.id()) == UP, WAIT, "UP again");
            int acceptedWhenUp = backend.acceptedConnections.get();
            int requestsWhenUp = backend.requests.get();
            Poll.until(() -> backend.requests.get() >= requestsWhenUp + 4, WAIT, "four more passing probes");
            assertEquals(acceptedWhenUp, backend.acceptedConnections.get(), "passing again: one connection again");
            assertEquals(List.of(DOWN, UP), l.transitions.stream().map(RecordingListener.Transition::to).toList());
        }
    }

    @Test
    void aKeepAliveCloseRacingAProbeIsRetriedOnAFreshConnectionNotCountedAsAFailure() throws Exception {
        try (TestHttpBackend backend = new TestHttpBackend()) {
            // Every second request on a connection is met by a close, as when a backend's idle timeout
            // fires just as the probe is sent. fall = 1: a single false failure would show.
            backend.dropReusedConnections.set(true);
            RecordingListener l = new RecordingListener();
            checker.register(new HealthTarget(backend.id(), backend.address(), http(1, 1), UP, l));
            Poll.until(() -> backend.droppedRequests.get() >= 4, WAIT, "four probes met by a close");
            Poll.until(() -> backend.requests.get() >= 5, WAIT, "and answered on a fresh connection");
            assertTrue(l.transitions.isEmpty(), "no probe failed: " + l.transitions);
            assertEquals(UP, checker.status(backend.id()));
        }
    }

    @Test
    void connectionCloseAnswersAreHonouredWithoutFailures() throws Exception {
        try (TestHttpBackend backend = new TestHttpBackend()) {
            backend.closeAfterAnswer.set(true);
            RecordingListener l = new RecordingListener();
            checker.register(new HealthTarget(backend.id(), backend.address(), http(1, 1), UP, l));
            Poll.until(() -> backend.requests.get() >= 5, WAIT, "five probes");
            assertTrue(backend.acceptedConnections.get() >= 5, "a connection per answer");
            assertTrue(l.transitions.isEmpty(), "no probe failed: " + l.transitions);
            assertTrue(backend.openConnections.get() <= 1);
        }
    }

    @Test
    void aTimedOutProbeDropsItsConnectionSoALateAnswerIsNeverTakenForTheNextOne() throws Exception {
        try (TestHttpBackend backend = new TestHttpBackend()) {
            backend.answerDelayMillis.set(300);
            RecordingListener l = new RecordingListener();
            ProbeSettings s = new ProbeSettings(ProbeType.HTTP, "/healthz", INTERVAL, Duration.ofMillis(100), 1, 1, 0);
            checker.register(new HealthTarget(backend.id(), backend.address(), s, UP, l));
            Poll.until(() -> checker.status(backend.id()) == DOWN, WAIT, "DOWN by timeout");
            int accepted = backend.acceptedConnections.get();
            Poll.until(() -> backend.acceptedConnections.get() >= accepted + 3, WAIT, "three more timed-out probes,"
                    + " each on a fresh connection");
            assertEquals(List.of(DOWN), l.transitions.stream().map(RecordingListener.Transition::to).toList(),
                    "rise = 1: a late answer taken for a later probe's would have brought it UP");
            backend.answerDelayMillis.set(0);
            Poll.until(() -> l.transitions.size() == 2, WAIT, "UP once answers are prompt");
            assertEquals(List.of(DOWN, UP), l.transitions.stream().map(RecordingListener.Transition::to).toList());
        }
    }

    @Test
    void unregisteringATargetClosesItsKeptAliveConnection() throws Exception {
        try (TestHttpBackend backend = new TestHttpBackend()) {
            checker.register(new HealthTarget(backend.id(), backend.address(), http(1, 1), UP, new RecordingListener()));
            Poll.until(() -> backend.requests.get() >= 2, WAIT, "probing");
            assertEquals(1, backend.openConnections.get());
            assertTrue(checker.unregister(backend.id()));
            Poll.until(() -> backend.openConnections.get() == 0, WAIT, "the probe connection closed");
        }
    }

    @Test
    void oneAddressInTwoPoolsIsTwoTargetsThatBothSendTheAddressAsHost() throws Exception {
        try (TestHttpBackend backend = new TestHttpBackend()) {
            RecordingListener l = new RecordingListener();
            checker.register(new HealthTarget("web/" + backend.id(), backend.id(), backend.address(), http(2, 3),
                    UP, l));
            checker.register(new HealthTarget("api/" + backend.id(), backend.id(), backend.address(), http(2, 3),
                    UP, l));
            Poll.until(() -> backend.requests.get() >= 2, WAIT, "probes of both targets");
            assertEquals(backend.id(), backend.lastHost.get(), "Host is the address, not the checker's id");
            assertEquals(UP, checker.status("web/" + backend.id()));
            assertEquals(UP, checker.status("api/" + backend.id()));
        }
    }

    @Test
    void tcpProbeBringsARuntimeTargetUpThenDownWhenTheListenerGoes() throws Exception {
        ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), socket.getLocalPort());
        RecordingListener l = new RecordingListener();
        String id = "127.0.0.1:" + socket.getLocalPort();
        checker.register(new HealthTarget(id, address, tcp(), UNKNOWN, l));
        assertEquals(UNKNOWN, checker.status(id), "a runtime backend waits for rise passes");
        Poll.until(() -> checker.status(id) == UP, WAIT, "UP after rise");
        socket.close();
        Poll.until(() -> l.transitions.size() == 2, WAIT, "DOWN after the port closed");
        assertEquals(List.of(UP, DOWN), l.transitions.stream().map(RecordingListener.Transition::to).toList());
    }

    @Test
    void aBackendThatNeverAnswersTimesOut() throws Exception {
        // accepts (the kernel backlog does) but never answers the GET
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), silent.getLocalPort());
            RecordingListener l = new RecordingListener();
            ProbeSettings s = new ProbeSettings(ProbeType.HTTP, "/healthz", INTERVAL, Duration.ofMillis(100), 1, 2, 0);
            checker.register(new HealthTarget("silent", address, s, UP, l));
            Poll.until(() -> checker.status("silent") == DOWN, WAIT, "DOWN by timeout");
        }
    }

    @Test
    void loadReportsReachTheListenerAndMalformedOnesAreCountedNotFatal() throws Exception {
        try (TestHttpBackend backend = new TestHttpBackend()) {
            backend.loadHeader.set("TEXT cpu_utilization=0.42, mem_utilization=0.30, rps_fractional=120.0, "
                    + "named_metrics.connections=17");
            RecordingListener l = new RecordingListener();
            checker.register(new HealthTarget(backend.id(), backend.address(), http(2, 2), UP, l));
            Poll.until(() -> !l.reports.isEmpty(), WAIT, "a load report");
            LoadReport r = l.reports.get(0);
            assertEquals(0.42, r.cpuUtilization());
            assertEquals(OptionalLong.of(17), r.connections());
            assertTrue(r.receivedAtNanos() <= System.nanoTime());

            backend.loadHeader.set("JSON {\"cpu_utilization\":0.9,\"named_metrics\":{\"connections\":3}}");
            Poll.until(() -> l.reports.get(l.reports.size() - 1).cpuUtilization() == 0.9, WAIT, "a JSON report");

            ListAppender<ILoggingEvent> logged = new ListAppender<>();
            logged.start();
            Logger logger = (Logger) LoggerFactory.getLogger(HealthChecker.class);
            logger.addAppender(logged);
            try {
                backend.loadHeader.set("TEXT cpu_utilization=lots");
                Poll.until(() -> checker.malformedReports() >= 3, WAIT, "malformed reports counted");
            } finally {
                logger.detachAppender(logged);
            }
            assertEquals(1, logged.list.stream().filter(e -> e.getFormattedMessage().contains("malformed")).count(),
                    "at most one log line per target per minute, however many are counted");
            assertEquals(UP, checker.status(backend.id()), "a malformed report never fails the probe");
            assertTrue(l.transitions.isEmpty());
        }
    }

    @Test
    void agentRepliesReachTheListenerAndAgentDownOverridesTheProbes() throws Exception {
        try (TestHttpBackend backend = new TestHttpBackend(); TestAgent agent = new TestAgent()) {
            agent.reply.set("drain 50%\n");
            RecordingListener l = new RecordingListener();
            ProbeSettings s = new ProbeSettings(ProbeType.HTTP, "/healthz", INTERVAL, TIMEOUT, 2, 2, agent.port());
            checker.register(new HealthTarget(backend.id(), backend.address(), s, UP, l));
            Poll.until(() -> !l.agentReplies.isEmpty(), WAIT, "an agent reply");
            assertEquals(OptionalInt.of(50), l.agentReplies.get(0).weightPercent());
            assertEquals(Optional.of(AgentState.DRAIN), l.agentReplies.get(0).state());
            assertEquals(UP, checker.status(backend.id()), "drain is the proxy's business, not health");

            agent.reply.set("down # disk full"); // no end of line: the agent just closes
            Poll.until(() -> checker.status(backend.id()) == DOWN, WAIT, "agent down");
            agent.reply.set("up 100%\n");
            Poll.until(() -> checker.status(backend.id()) == UP, WAIT, "agent up");

            agent.reply.set("sideways\n");
            long malformed = checker.malformedReports();
            Poll.until(() -> checker.malformedReports() > malformed, WAIT, "malformed agent reply counted");
            assertEquals(UP, checker.status(backend.id()));
        }
    }

    @Test
    void anEjectionHoldsUntilItsTimeHasPassedThenRisePassesBringItBack() throws Exception {
        try (TestHttpBackend backend = new TestHttpBackend()) {
            RecordingListener l = new RecordingListener();
            checker.register(new HealthTarget(backend.id(), backend.address(), http(2, 3), UP, l));
            Poll.until(() -> backend.requests.get() >= 1, WAIT, "probing");
            Duration ejection = Duration.ofMillis(400);
            long ejectedAt = System.nanoTime();
            assertTrue(checker.eject(backend.id(), ejection));
            Poll.until(() -> checker.status(backend.id()) == DOWN, WAIT, "ejected");
            Poll.until(() -> l.transitions.size() == 2, WAIT, "back after the ejection");
            long upAt = l.transitions.get(l.transitions.size() - 1).atNanos();
            // rise = 2 passes, both after the ejection ends: not before 400 ms, and the probes passed all along
            assertTrue(upAt - ejectedAt >= ejection.toNanos(), "came back after " + (upAt - ejectedAt) / 1e6 + " ms");
            assertEquals(List.of(DOWN, UP), l.transitions.stream().map(RecordingListener.Transition::to).toList());
        }
    }

    @Test
    void ejectingAnUnprobedTargetRestoresItWhenTheTimeIsUp() {
        RecordingListener l = new RecordingListener();
        ProbeSettings none = new ProbeSettings(ProbeType.NONE, "/", INTERVAL, TIMEOUT, 2, 2, 0);
        checker.register(new HealthTarget("n", new InetSocketAddress(InetAddress.getLoopbackAddress(), 9), none,
                UP, l));
        checker.eject("n", Duration.ofMillis(100));
        Poll.until(() -> l.transitions.size() == 2, WAIT, "down and back");
        assertEquals(List.of(DOWN, UP), l.transitions.stream().map(RecordingListener.Transition::to).toList());
    }

    @Test
    void updateKeepsStateAndUnregisterStopsProbing() throws Exception {
        try (TestHttpBackend backend = new TestHttpBackend(); TestHttpBackend clock = new TestHttpBackend()) {
            RecordingListener l = new RecordingListener();
            checker.register(new HealthTarget(backend.id(), backend.address(), http(2, 2), UNKNOWN, l));
            Poll.until(() -> l.transitions.size() == 1, WAIT, "UP");
            assertTrue(checker.update(backend.id(), tcp()));
            int httpRequests = backend.requests.get();
            int accepted = backend.acceptedConnections.get();
            Poll.until(() -> backend.acceptedConnections.get() >= accepted + 4, WAIT, "tcp probing");
            assertTrue(backend.requests.get() <= httpRequests + 1, "tcp probes send no request (one http probe"
                    + " may have been in flight at the update)");
            assertEquals(UP, checker.status(backend.id()));
            assertEquals(1, l.transitions.size(), "only UNKNOWN -> UP; the reload caused no transition");
            Poll.until(() -> backend.openConnections.get() == 0, WAIT, "the http probe's kept-alive connection closed");

            assertTrue(checker.unregister(backend.id()));
            assertNull(checker.status(backend.id()));
            assertFalse(checker.unregister(backend.id()));
            assertFalse(checker.update(backend.id(), tcp()));
            // A second target is the clock: once it has been probed 5 more times, the removed one would have been too.
            checker.register(new HealthTarget(clock.id(), clock.address(), http(1, 1), UP, new RecordingListener()));
            int acceptedAtRemoval = backend.acceptedConnections.get();
            Poll.until(() -> clock.requests.get() >= 5, WAIT, "the clock target probed");
            assertTrue(backend.acceptedConnections.get() <= acceptedAtRemoval + 1, "probing stopped");

            assertThrows(IllegalArgumentException.class, () -> checker.register(
                    new HealthTarget(clock.id(), clock.address(), http(1, 1), UP, new RecordingListener())));
        }
    }

    @Test
    void aClosedCheckerRefusesTargets() {
        checker.close();
        assertThrows(IllegalStateException.class, () -> checker.register(new HealthTarget("c",
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 9), tcp(), UP, new RecordingListener())));
    }
}
