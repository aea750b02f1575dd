package dev.gatehouse.edge.reader;

/**
 * The suffix a serial scanner appends to every code. Scanners ship set to any of these, and the
 * agent splits lines only at the one configured, so a code that itself holds a line break (a vCard
 * holds lone LFs) is kept whole when the scanner ends codes with CR or CR LF.
 */
public enum LineEnding {
    CR("CR"),
    LF("LF"),
    CRLF("CR LF");

    private final String label;

    LineEnding(String label) {
        this.label = label;
    }

    /** How a technician reads it on a scanner's setup sheet: {@code CR}, {@code LF}, {@code CR LF}. */
    public String label() {
        return label;
    }
}
