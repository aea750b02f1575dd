package dev.gatehouse.protocol;

import com.nimbusds.jose.jwk.ECKey;
import dev.gatehouse.protocol.sign.KeySet;
import dev.gatehouse.protocol.sign.SigningKeys;
import java.time.Instant;

/**
 * The fixed key and moment the fuzz targets sign and check with. The key is fixed, not generated, so
 * that the signed seeds committed under {@code src/test/resources} still verify: a seed then reaches
 * past the signature check, and the fuzzer mutates from there. A test key only: it signs nothing else.
 */
public final class FuzzKeys {
    /** A P-256 test key, kid {@code fuzz-1}. */
    public static final ECKey KEY = SigningKeys.parsePrivate(
            "{\"kty\":\"EC\",\"d\":\"-qOTrz9ousEn3LgvT0zeENNv3-j_wOnWd3nU5XxU5-I\",\"use\":\"sig\",\"crv\":\"P-256\","
                    + "\"kid\":\"fuzz-1\",\"x\":\"2vtIWNdUcwsQ4yAVw4DrNOHXzYq8GYcALEoUymFt0W8\","
                    + "\"y\":\"xq402YSd9OJtNtOEd2-1zPCOsk728qqIZDuEdxSHUpY\"}");

    /** The public half: what a receiver trusts. */
    public static final KeySet KEYS = KeySet.of(KEY.toPublicJWK());

    /** The tenant, site and device of the golden files. */
    public static final String TENANT = "acme";

    public static final String SITE = "hq-berlin";
    public static final String DEVICE = "edge-01";

    /** A moment inside the golden files' validity (their commands expire later). */
    public static final Instant NOW = Instant.parse("2026-03-02T08:15:30Z");

    private FuzzKeys() {}
}
