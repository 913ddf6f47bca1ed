package io.fulcrum.proxy.daemon;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves what the daemon built at start-up to the old generation before the first request, with one
 * full collection.
 *
 * <p>Why: a started daemon holds some megabytes that live as long as it does (config, pools, metrics,
 * Netty's and the JDK's own tables). Left alone, a generational collector copies that whole set from
 * one survivor space to the other in every young collection until it is old enough to be tenured.
 * With the parallel collector that ships ({@code conf/jvm.options}), a fresh daemon under keep-alive
 * load paused 9.5-23 ms in each of its first seven young collections, then 0.6-0.9 ms once the set was
 * tenured; with this collection first, 4.3-7.4 ms and then the same (bench/README.md, 2026-12-03 from
 * 17:53: what is left is what the first requests build, which {@code -XX:InitialTenuringThreshold=1} in
 * conf/jvm.options tenures at the second collection). A request leaves about 0.8 KiB behind, so at
 * 1,000 requests a second those seven collections come over the first 18 minutes after every start.
 * The collection costs 30-70 ms of start-up here, before the listeners are bound: no request waits on it.
 *
 * <p>A JVM run with {@code -XX:+DisableExplicitGC} ignores it, which does no harm.
 */
final class StartupHeap {

    private static final Logger log = LoggerFactory.getLogger(StartupHeap.class);

    private StartupHeap() {
    }

    /** One full collection, then a debug line with how long it took and what the heap holds. */
    static void settle() {
        long start = System.nanoTime();
        long collectionsBefore = collections();
        System.gc();
        if (log.isDebugEnabled()) {
            log.debug("start-up heap settled in {} ms: {} collection(s), {} KiB in use",
                    (System.nanoTime() - start) / 1_000_000, collections() - collectionsBefore, heapUsedKib());
        }
    }

    /** Collections run so far by every collector of this JVM. */
    static long collections() {
        long n = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            n += Math.max(0, gc.getCollectionCount());
        }
        return n;
    }

    private static long heapUsedKib() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1024;
    }
}
