package dev.gatehouse.edge.agent;

import dev.gatehouse.edge.config.EdgeConfig;
import dev.gatehouse.edge.reader.LineEnding;
import dev.gatehouse.edge.reader.SerialQrReader;
import java.util.HexFormat;

/**
 * A {@code serial-qr} reader's configuration as the scanner's settings, shared by the Pi and the
 * simulator so that both run a scanner exactly as configured (line speed, line ending, liveness).
 */
final class SerialQrSettings {
    private SerialQrSettings() {}

    static SerialQrReader.Settings of(EdgeConfig.Reader reader) {
        HexFormat hex = HexFormat.of();
        return SerialQrReader.Settings.defaults()
                .withBaudRate(reader.baudRate())
                .withLineEnding(lineEnding(reader.lineEnding()))
                .withPresenceCheck(reader.presenceCheck())
                .withProbe(reader.probe()
                        .map(probe -> new SerialQrReader.Probe(
                                hex.parseHex(probe.query()),
                                hex.parseHex(probe.replyPrefix()),
                                probe.every(),
                                probe.timeout())));
    }

    static LineEnding lineEnding(EdgeConfig.LineEnding ending) {
        return switch (ending) {
            case CR -> LineEnding.CR;
            case LF -> LineEnding.LF;
            case CRLF -> LineEnding.CRLF;
        };
    }
}
