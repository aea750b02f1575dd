package dev.gatehouse.edge.reader;

/** Unwinds a reader thread that is closed in the middle of a read or exchange; never leaves the reader. */
final class ReaderClosed extends RuntimeException {
    ReaderClosed() {
        super("the reader was closed", null, false, false);
    }
}
