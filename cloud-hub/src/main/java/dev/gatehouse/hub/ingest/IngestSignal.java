package dev.gatehouse.hub.ingest;

/**
 * Wakes the live feeds of this process when ingest stored events. Feeds read from the store (so
 * several hub replicas work), and also poll, so a missed signal only delays an event.
 */
public final class IngestSignal {
    private long generation;

    /** Called after events were committed. */
    public synchronized void fire() {
        generation++;
        notifyAll();
    }

    public synchronized long generation() {
        return generation;
    }

    /** Waits until something was stored after {@code seen}, or {@code millis} passed. */
    public synchronized void await(long seen, long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (generation == seen) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                return;
            }
            wait(left);
        }
    }
}
