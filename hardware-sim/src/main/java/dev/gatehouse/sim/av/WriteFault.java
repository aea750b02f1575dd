package dev.gatehouse.sim.av;

/** How a simulated point misbehaves when a client writes it, for tests of verified writes. */
public enum WriteFault {
    /** The write is applied: the point reads back what was written. */
    NONE,
    /** The write is refused with {@code Bad_NotWritable}, as a controller in local mode answers. */
    REFUSE,
    /**
     * The write is answered {@code Good} but does not stick: the point keeps its value, as a display
     * that ignores a command while it is still warming up does. Only a read-back notices.
     */
    IGNORE
}
