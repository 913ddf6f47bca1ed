package io.fulcrum.proxy.backend;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Requests waiting for a connection slot when every backend of a pool is at
 * {@code max-connections-per-backend} (HAProxy's {@code maxconn} and queue). FIFO; bounded by
 * {@code max-queue}; a slot freed by a finishing request is handed straight to the longest waiter, so
 * newcomers cannot overtake the queue.
 *
 * <p>Threading: any thread; lock-free (a concurrent queue and one counter). Only touched when the pool
 * has a limit.
 */
public final class WaitQueue {

    /** A queued request. */
    public interface Waiter {

        /** Takes the waiter out of waiting, exactly once: false if it already left (timed out, closed). */
        boolean claim();

        /**
         * Gives the claimed waiter a slot on {@code backend}, already counted in its in-flight. Called
         * on the releasing thread: the waiter hops to its own event loop.
         */
        void dispatch(Backend backend);
    }

    private final ConcurrentLinkedQueue<Waiter> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();

    /** Queues {@code waiter} unless {@code max} are already waiting. */
    public boolean offer(Waiter waiter, int max) {
        if (size.incrementAndGet() > max) {
            size.decrementAndGet();
            return false;
        }
        queue.offer(waiter);
        return true;
    }

    public boolean isEmpty() {
        return size.get() <= 0;
    }

    public int size() {
        return Math.max(0, size.get());
    }

    /** Removes a waiter that claimed itself (timeout, client gone). */
    public void remove(Waiter waiter) {
        if (queue.remove(waiter)) {
            size.decrementAndGet();
        }
    }

    /**
     * Hands a slot of {@code backend} to the longest waiter.
     *
     * @return false when nobody waits: the caller frees the slot
     */
    public boolean handOver(Backend backend) {
        Waiter w;
        while ((w = queue.poll()) != null) {
            size.decrementAndGet();
            if (w.claim()) {
                w.dispatch(backend);
                return true;
            }
        }
        return false;
    }
}
