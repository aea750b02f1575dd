package dev.gatehouse.edge.reader;

/**
 * Where a reader reports. Called on the reader's own thread: implementations may do short work there
 * (the agent decides a presentation, reading its cache) and hand the rest off (to a door's queue, a
 * log); they must never block on a door, a lock held elsewhere or the network. An exception thrown
 * here is logged and does not stop the reader.
 */
public interface ReaderListener {
    /** A card or code was presented. A card held in the field is reported once per tap. */
    void presented(String readerId, Presentation presentation);

    /** Something went wrong: the device is unplugged or not answering, or it sent garbage or a cut frame. */
    void fault(String readerId, String detail);

    /** The reader works again after one or more faults. */
    void restored(String readerId);
}
