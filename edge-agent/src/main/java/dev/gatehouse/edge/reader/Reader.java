package dev.gatehouse.edge.reader;

/** A credential reader at a door. It reports through a {@link ReaderListener} from its own thread. */
public interface Reader extends AutoCloseable {
    /** The reader's id from the site configuration. */
    String id();

    /** Starts reading; presentations, faults and restorations go to {@code listener}. Call once. */
    void start(ReaderListener listener);

    /** Stops reading and releases the device. Idempotent. */
    @Override
    void close();
}
