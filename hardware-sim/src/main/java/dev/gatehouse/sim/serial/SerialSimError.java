package dev.gatehouse.sim.serial;

/** What went wrong in a simulated serial device. Every {@link SerialSimException} carries one. */
public enum SerialSimError {
    /** The operating system would not create a pseudo-terminal pair (posix_openpt, grantpt, unlockpt). */
    PTY_CREATE_FAILED,
    /** The pseudo-terminal could not be configured (raw mode, non-blocking master). */
    PTY_CONFIGURE_FAILED,
    /** The stable device link could not be created or re-pointed. */
    LINK_FAILED,
    /** Reading or writing the master side failed in a way other than "no reader yet". */
    IO_FAILED,
    /** The device was used after {@code close()}. */
    CLOSED,
    /** An argument is out of range (a UID of the wrong size, a negative delay). */
    BAD_ARGUMENT
}
