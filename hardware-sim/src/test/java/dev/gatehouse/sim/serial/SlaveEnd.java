package dev.gatehouse.sim.serial;

import com.fazecast.jSerialComm.SerialPort;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The slave side of a pseudo-terminal opened with jSerialComm, as the edge agent opens a reader:
 * 115200 8N1, semi-blocking reads of at most 100 ms. Reads are bounded by a deadline, never a sleep.
 */
final class SlaveEnd implements AutoCloseable {
    private final SerialPort port;

    private SlaveEnd(SerialPort port) {
        this.port = port;
    }

    static SlaveEnd open(Path device) {
        SerialPort port = SerialPort.getCommPort(device.toString());
        port.setComPortParameters(115_200, 8, SerialPort.ONE_STOP_BIT, SerialPort.NO_PARITY);
        port.setComPortTimeouts(SerialPort.TIMEOUT_READ_SEMI_BLOCKING, 100, 0);
        if (!port.openPort()) {
            throw new IllegalStateException("jSerialComm could not open " + device + " (error "
                    + port.getLastErrorCode() + " at line " + port.getLastErrorLocation() + ")");
        }
        return new SlaveEnd(port);
    }

    void write(byte[] bytes) {
        int written = port.writeBytes(bytes, bytes.length);
        if (written != bytes.length) {
            throw new IllegalStateException("wrote " + written + " of " + bytes.length + " bytes");
        }
    }

    /** Reads exactly {@code count} bytes, or fails when they have not all arrived within {@code timeout}. */
    byte[] readExactly(int count, Duration timeout) {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        long deadline = System.nanoTime() + timeout.toNanos();
        byte[] buffer = new byte[count];
        while (received.size() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("only " + received.size() + " of " + count + " bytes arrived within " + timeout
                        + ": " + Hex.of(received.toByteArray()));
            }
            int read = port.readBytes(buffer, count - received.size());
            if (read < 0) {
                throw new AssertionError("the port failed while reading (error " + port.getLastErrorCode() + ")");
            }
            received.write(buffer, 0, read);
        }
        return received.toByteArray();
    }

    /** One read of up to {@code max} bytes (waits at most the 100 ms read timeout); -1 when the port failed. */
    int readOnce(byte[] buffer) {
        return port.readBytes(buffer, buffer.length);
    }

    @Override
    public void close() {
        port.closePort();
    }
}
