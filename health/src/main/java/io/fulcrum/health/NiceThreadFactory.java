package io.fulcrum.health;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Netty's thread factory, whose threads first lower their own Linux scheduling priority to
 * {@code nice} (with {@code renice}, from util-linux: Java has no call for one thread's nice value, and
 * the JVM's {@code -XX:ThreadPriorityPolicy=1} would raise its own GC and compiler threads above the
 * event loops as well). For background work that must not delay the request path's event loops on a
 * shared core: a probe's CPU comes in a burst of a millisecond or two (its code runs too seldom to be
 * compiled), and at nice 0 the scheduler let an event loop that woke meanwhile wait it out.
 *
 * <p>Lowering one's own priority needs no privilege. Where it cannot be done (no {@code /proc}, no
 * {@code renice}) the thread runs at the process's priority, and says so once at debug level.
 */
final class NiceThreadFactory extends DefaultThreadFactory {

    private static final Logger log = LoggerFactory.getLogger(NiceThreadFactory.class);

    private final int nice;

    NiceThreadFactory(String poolName, int nice) {
        super(poolName, true);
        this.nice = nice;
    }

    @Override
    protected Thread newThread(Runnable r, String name) {
        return super.newThread(() -> {
            lowerPriority(nice);
            r.run();
        }, name);
    }

    /** Sets the calling thread's nice value, or logs why it could not. */
    static void lowerPriority(int nice) {
        try {
            // "/proc/thread-self" links to "<pid>/task/<tid>": the kernel's id of this thread.
            String tid = Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString();
            Process p = new ProcessBuilder("renice", "-n", Integer.toString(nice), "-p", tid)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0) {
                return;
            }
            p.destroyForcibly();
            log.debug("renice -n {} of thread {} failed; it keeps the process's priority", nice, tid);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            log.debug("cannot lower thread {}'s priority: {}", Thread.currentThread().getName(), e.toString());
        }
    }
}
