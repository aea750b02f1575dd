package dev.gatehouse.edge.reader;

/** What went wrong with a reader. Every {@link ReaderException} carries one. */
public enum ReaderError {
    /** Nothing exists at the configured device path: unplugged, or the path in the config is wrong. */
    DEVICE_MISSING(true),
    /** The device exists but could not be opened: permissions (the dialout group) or another program holds it. */
    OPEN_FAILED(true),
    /** The port opened but would not take its settings (baud rate, 8N1, timeouts). */
    CONFIGURE_FAILED(true),
    /** Reading the port failed: the device went away. */
    READ_FAILED(true),
    /** Writing the port failed or was short: the device went away. */
    WRITE_FAILED(true),
    /** The device stopped answering several commands in a row. */
    NOT_RESPONDING(true),
    /** The device answered, but it is not a PN532 (GetFirmwareVersion reported another IC). */
    NOT_A_PN532(true),
    /** No ACK or response arrived in time for one command. */
    TIMEOUT(false),
    /** A response was well framed but its content is not what the command returns. */
    MALFORMED_RESPONSE(false),
    /** The chip answered with its syntax error frame. */
    CHIP_ERROR(false),
    /** A presentation value is invalid (a UID of the wrong length, empty text). */
    BAD_PRESENTATION(false),
    /** A reader setting is out of range (a zero timeout, a backoff whose maximum is below its start). */
    BAD_SETTING(false),
    /** {@link Reader#start} was called a second time. */
    ALREADY_STARTED(false);

    private final boolean connectionLost;

    ReaderError(boolean connectionLost) {
        this.connectionLost = connectionLost;
    }

    /** Whether the device must be closed and opened again (as opposed to retrying the next command). */
    public boolean connectionLost() {
        return connectionLost;
    }
}
