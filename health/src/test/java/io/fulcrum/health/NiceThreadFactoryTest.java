package io.fulcrum.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Real threads of this JVM, their nice value read back from /proc (the CI machines run Linux). */
class NiceThreadFactoryTest {

    /** The calling thread's nice value: field 19 of /proc/thread-self/stat. */
    static int currentNice() {
        try {
            String stat = Files.readString(Path.of("/proc/thread-self/stat"));
            // The name (field 2) may hold spaces; the fields after it start past its closing ')'.
            String[] after = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Integer.parseInt(after[16]);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void itsThreadsRunAtTheNiceValueAndOthersDoNot() throws Exception {
        int before = currentNice();
        AtomicInteger seen = new AtomicInteger(Integer.MIN_VALUE);
        Thread t = new NiceThreadFactory("nice-test", 7).newThread(() -> seen.set(currentNice()));
        t.start();
        t.join(10_000);
        // renice -n is absolute in util-linux up to 2.38 and relative in later ones and in busybox:
        // the same when the test runs at nice 0, as it does on CI.
        assertTrue(seen.get() == 7 || seen.get() == Math.min(19, before + 7), "the factory's thread: " + seen.get());
        assertTrue(t.isDaemon());
        assertEquals(before, currentNice(), "the thread that made it is left alone");
    }
}
