package dev.gatehouse.sim.serial;

import java.io.ByteArrayOutputStream;

/**
 * PN532 host-interface frames (user manual UM0701-02 §6.2.1), as the chip writes them:
 * {@code 00 00 FF LEN LCS TFI PD0..PDn DCS 00} with {@code LEN + LCS = 0} and
 * {@code TFI + PD0 + ... + PDn + DCS = 0} (mod 256).
 */
final class Pn532Frames {
    /** Frame identifier of a frame from the host controller to the PN532. */
    static final int HOST_TO_PN532 = 0xD4;
    /** Frame identifier of a frame from the PN532 to the host controller. */
    static final int PN532_TO_HOST = 0xD5;
    /** Frame identifier of the application-level syntax error frame. */
    static final int ERROR_TFI = 0x7F;

    static final int GET_FIRMWARE_VERSION = 0x02;
    static final int SAM_CONFIGURATION = 0x14;
    static final int RF_CONFIGURATION = 0x32;
    static final int IN_LIST_PASSIVE_TARGET = 0x4A;

    private static final byte[] ACK = {0x00, 0x00, (byte) 0xFF, 0x00, (byte) 0xFF, 0x00};
    private static final byte[] NACK = {0x00, 0x00, (byte) 0xFF, (byte) 0xFF, 0x00, 0x00};
    private static final byte[] ERROR = {0x00, 0x00, (byte) 0xFF, 0x01, (byte) 0xFF, 0x7F, (byte) 0x81, 0x00};

    private Pn532Frames() {}

    static byte[] ack() {
        return ACK.clone();
    }

    static byte[] nack() {
        return NACK.clone();
    }

    /** The syntax error frame the chip sends for a command it does not understand. */
    static byte[] error() {
        return ERROR.clone();
    }

    /** A normal information frame: {@code tfi} followed by {@code data} (data holds at most 254 bytes). */
    static byte[] information(int tfi, byte[] data) {
        if (data.length > 254) {
            throw new SerialSimException(
                    SerialSimError.BAD_ARGUMENT, "a normal frame carries at most 254 data bytes, not " + data.length);
        }
        int length = data.length + 1;
        int sum = tfi;
        ByteArrayOutputStream frame = new ByteArrayOutputStream(length + 7);
        frame.write(0x00);
        frame.write(0x00);
        frame.write(0xFF);
        frame.write(length);
        frame.write(-length & 0xFF);
        frame.write(tfi);
        for (byte b : data) {
            frame.write(b);
            sum += b & 0xFF;
        }
        frame.write(-sum & 0xFF);
        frame.write(0x00);
        return frame.toByteArray();
    }

    /** A response from the chip: {@code D5}, the command code + 1, then the response parameters. */
    static byte[] response(int command, byte... parameters) {
        byte[] data = new byte[parameters.length + 1];
        data[0] = (byte) (command + 1);
        System.arraycopy(parameters, 0, data, 1, parameters.length);
        return information(PN532_TO_HOST, data);
    }

    /** A command from the host: {@code D4}, the command code, then its parameters. */
    static byte[] command(int command, byte... parameters) {
        byte[] data = new byte[parameters.length + 1];
        data[0] = (byte) command;
        System.arraycopy(parameters, 0, data, 1, parameters.length);
        return information(HOST_TO_PN532, data);
    }
}
