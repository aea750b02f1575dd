package dev.gatehouse.edge.reader;

import com.fazecast.jSerialComm.SerialPort;
import com.fazecast.jSerialComm.SerialPortInvalidPortException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * One open serial port, and the boundary where jSerialComm's {@code false} and {@code -1} returns
 * become {@link ReaderException}s. Opened 8N1 without flow control, with semi-blocking reads that
 * wait at most {@link #READ_TIMEOUT_MILLIS} for the first byte. A symbolic link (a udev name, the
 * simulator's stable path) is resolved on every open, so a replugged device is found at its new node.
 * Used by one thread.
 */
final class SerialLink implements AutoCloseable {
    /** How long one read waits for the first byte; also the unit of silence the readers measure. */
    static final int READ_TIMEOUT_MILLIS = 100;

    private final SerialPort port;
    private final Path device;
    private final Path node;

    private SerialLink(SerialPort port, Path device, Path node) {
        this.port = port;
        this.device = device;
        this.node = node;
    }

    static SerialLink open(Path device, int baudRate) {
        if (!Files.exists(device)) {
            throw new ReaderException(
                    ReaderError.DEVICE_MISSING,
                    "no device at " + device + ": check the reader's cable and the configured device path");
        }
        Path node = currentNode(device).orElse(device);
        SerialPort port;
        try {
            port = SerialPort.getCommPort(device.toString());
        } catch (SerialPortInvalidPortException e) {
            throw new ReaderException(ReaderError.DEVICE_MISSING, "no serial port at " + device, e);
        }
        boolean configured = port.setComPortParameters(baudRate, 8, SerialPort.ONE_STOP_BIT, SerialPort.NO_PARITY)
                && port.setFlowControl(SerialPort.FLOW_CONTROL_DISABLED)
                && port.setComPortTimeouts(SerialPort.TIMEOUT_READ_SEMI_BLOCKING, READ_TIMEOUT_MILLIS, 0);
        if (!configured) {
            throw new ReaderException(
                    ReaderError.CONFIGURE_FAILED, "cannot set " + baudRate + " 8N1 and read timeouts on " + device);
        }
        if (!port.openPort()) {
            throw new ReaderException(
                    ReaderError.OPEN_FAILED,
                    "cannot open " + device + " (errno " + port.getLastErrorCode()
                            + "): check that the agent's user is in the dialout group and no other program uses it");
        }
        // A pty answers some ioctls with ENOTTY (errno 25) after a successful open; that is harmless.
        port.flushIOBuffers();
        return new SerialLink(port, device, node);
    }

    /** Reads what has arrived, waiting at most the read timeout. Returns 0 when nothing came in that time. */
    int read(byte[] buffer) {
        int count = port.readBytes(buffer, buffer.length);
        if (count < 0) {
            throw new ReaderException(
                    ReaderError.READ_FAILED,
                    "reading " + device + " failed (errno " + port.getLastErrorCode() + "): the device went away");
        }
        return count;
    }

    void write(byte[] bytes) {
        int count = port.writeBytes(bytes, bytes.length);
        if (count != bytes.length) {
            throw new ReaderException(
                    ReaderError.WRITE_FAILED,
                    "writing " + device + " failed (" + count + " of " + bytes.length + " bytes, errno "
                            + port.getLastErrorCode() + "): the device went away");
        }
    }

    Path device() {
        return device;
    }

    /** The device node the configured path led to when the port was opened (links resolved). */
    Path node() {
        return node;
    }

    /**
     * The device node the configured path leads to now; empty when it leads nowhere (the device was
     * unplugged and its udev link removed). A stat of the path, no I/O on the port: jSerialComm may
     * not notice an unplugged USB device until the port is next read or written.
     */
    Optional<Path> currentNode() {
        return currentNode(device);
    }

    private static Optional<Path> currentNode(Path device) {
        try {
            return Optional.of(device.toRealPath());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    @Override
    public void close() {
        port.closePort();
    }
}
