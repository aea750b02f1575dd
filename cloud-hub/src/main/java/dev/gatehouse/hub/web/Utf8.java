package dev.gatehouse.hub.web;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * Strict UTF-8 for everything a caller sends: bytes that are no character (an overlong form such as
 * {@code C0 AF} for '/', a surrogate, a value past U+10FFFF, a sequence cut short, a byte UTF-8 never
 * uses) are refused, never replaced or decoded leniently.
 */
final class Utf8 {
    private Utf8() {}

    /**
     * The text of {@code bytes}; a 400 naming {@code what} (e.g. "the body"), the offending bytes and
     * their offset, then {@code fix}, when they are not UTF-8.
     */
    static String decode(byte[] bytes, String what, String fix) {
        // A decoder per call: a CharsetDecoder holds state and is not for sharing between threads.
        CharsetDecoder decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        try {
            return decoder.decode(in).toString();
        } catch (CharacterCodingException e) {
            // The decoder stops with the input positioned at the first byte that is no character.
            int offset = in.position();
            int length = e instanceof MalformedInputException malformed ? malformed.getInputLength() : 1;
            int end = Math.min(bytes.length, offset + Math.max(1, length));
            String where = end - offset == 1 ? "byte " + offset : "bytes " + offset + "-" + (end - 1);
            throw ApiException.badRequest(what + " is not UTF-8: " + where + " ("
                    + HexFormat.ofDelimiter(" ").formatHex(bytes, offset, end)
                    + ") is no character (an overlong form, a surrogate, a sequence cut short or a byte UTF-8"
                    + " never uses); " + fix);
        }
    }
}
