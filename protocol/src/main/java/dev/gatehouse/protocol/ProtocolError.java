package dev.gatehouse.protocol;

/** What went wrong with a message, topic, token or signature. Every {@link ProtocolException} carries one. */
public enum ProtocolError {
    /** The bytes are larger than the documented limit for their kind. */
    TOO_LARGE,
    /** The bytes are not valid UTF-8. */
    INVALID_UTF8,
    /** The text is not well-formed JSON (truncated, trailing data, duplicate keys, bad tokens). */
    MALFORMED_JSON,
    /** Objects or arrays are nested deeper than the documented limit. */
    TOO_DEEP,
    /** The envelope names a protocol version this implementation does not speak. */
    UNSUPPORTED_VERSION,
    /** The envelope names a message type that does not exist. */
    UNKNOWN_TYPE,
    /** A required field is absent. */
    MISSING_FIELD,
    /** A field is present that the schema does not define. */
    UNKNOWN_FIELD,
    /** A field holds the wrong JSON type (a string where a number belongs, and so on). */
    WRONG_TYPE,
    /** A field has the right type but an invalid value (bad enum, out of range, bad format). */
    BAD_VALUE,
    /** A topic or topic level is invalid. */
    BAD_TOPIC,
    /** A JWS or QR token is not in compact form, or its header or claims cannot be read. */
    MALFORMED_TOKEN,
    /** The token's algorithm is not ES256 (covers {@code alg: none} and HMAC-with-a-public-key confusion). */
    ALGORITHM_NOT_ALLOWED,
    /** The token names no key id, or one that is not in the key set. */
    UNKNOWN_KEY,
    /** The signature does not verify with the named key: the payload or signature was altered. */
    BAD_SIGNATURE,
    /** The signed message or token is past its expiry. */
    EXPIRED,
    /** The token is not valid yet. */
    NOT_YET_VALID,
    /** The content is for another tenant, site or device than the one checking it. */
    WRONG_AUDIENCE,
    /** The receiver's clock is untrusted, so it cannot judge a command's expiry; only lockdown is accepted. */
    CLOCK_UNTRUSTED,
    /** A key or key set is unusable (wrong curve, missing private part for signing, too short). */
    BAD_KEY
}
