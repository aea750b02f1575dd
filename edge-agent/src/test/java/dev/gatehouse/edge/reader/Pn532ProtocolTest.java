package dev.gatehouse.edge.reader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The bytes the adapter writes must be the PN532's command frames exactly (the chip drops anything
 * else silently), and the target data it accepts must be checked field by field, because the UID it
 * extracts decides who gets in.
 */
class Pn532ProtocolTest {
    private static final HexFormat HEX = HexFormat.of();

    private static byte[] hex(String spaced) {
        return HEX.parseHex(spaced.replace(" ", ""));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "GetFirmwareVersion,         02, '',          00 00 FF 02 FE D4 02 2A 00",
        "SAMConfiguration normal,    14, 01 14 01,    00 00 FF 05 FB D4 14 01 14 01 02 00",
        "RFConfiguration MaxRetries, 32, 05 FF 01 02, 00 00 FF 06 FA D4 32 05 FF 01 02 F3 00",
        "InListPassiveTarget 1 A,    4A, 01 00,       00 00 FF 04 FC D4 4A 01 00 E1 00"
    })
    void commandFramesAreTheDocumentedBytes(String name, String code, String parameters, String expected) {
        // Why: the golden bytes were computed by hand from UM0701-02; a checksum slip would make the chip ignore us.
        byte[] frame = Pn532Transport.commandFrame(HEX.parseHex(code)[0] & 0xFF, hex(parameters));

        assertThat(HEX.formatHex(frame)).isEqualTo(HEX.formatHex(hex(expected)));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "4-byte UID,           01 01 00 04 08 04 04 A2 2B 1C,                   04A22B1C",
        "7-byte UID,           01 01 00 44 00 07 04 A2 2B 1C 5D 80 00,          04A22B1C5D8000",
        "10-byte UID,          01 01 00 84 00 0A 01 02 03 04 05 06 07 08 09 0A, 0102030405060708090A",
        "ISO 14443-4 with ATS, 01 01 00 04 20 04 08 11 22 33 05 75 77 81 02,    08112233"
    })
    void theUidIsTakenFromAWellFormedTarget(String what, String response, String uid) {
        // Why: every UID size and a phone or DESFire card (with an ATS) occur at real doors.
        assertThat(Pn532SerialReader.parseTarget(hex(response))).get().isEqualTo(HEX.parseHex(uid));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "two targets,                      02 01 00 04 08 04 04 A2 2B 1C",
        "target number 2,                  01 02 00 04 08 04 04 A2 2B 1C",
        "UID length 5,                     01 01 00 04 08 05 04 A2 2B 1C 00",
        "UID length past the end,          01 01 00 44 00 07 04 A2 2B 1C",
        "trailing bytes without ATS flag,  01 01 00 04 08 04 04 A2 2B 1C 02 99",
        "ATS length that does not match,   01 01 00 04 20 04 08 11 22 33 09 75",
        "no target with extra bytes,       00 01",
        "empty,                            ''"
    })
    void aMalformedTargetIsRefusedWithACode(String what, String response) {
        // Why: a frame that is well framed but wrong inside must be a fault, never a UID.
        ReaderException refused =
                catchThrowableOfType(ReaderException.class, () -> Pn532SerialReader.parseTarget(hex(response)));

        assertThat(refused.error()).isEqualTo(ReaderError.MALFORMED_RESPONSE);
    }

    @Test
    void noTargetIsEmpty() {
        // Why: an empty field is the normal answer and must not be an error.
        assertThat(Pn532SerialReader.parseTarget(hex("00"))).isEmpty();
    }
}
