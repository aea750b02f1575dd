package dev.gatehouse.protocol.enroll;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.gatehouse.protocol.ProtocolException;
import java.nio.charset.StandardCharsets;

/**
 * Fuzz targets for the enrollment request, which the hub reads from devices that hold no credential
 * yet ({@code POST /api/v1/enroll}): {@link Enrollment#parse} (JSON, public JWK, proof JWS) and
 * {@link Enrollment#normalize} (the code as typed). The contract: a value, or a {@link
 * ProtocolException} — never another exception. A normalised code formats and normalises back to
 * itself.
 */
class EnrollmentFuzzTest {

    @FuzzTest
    void request(byte[] input) {
        try {
            Enrollment.Request request = Enrollment.parse(new String(input, StandardCharsets.UTF_8));
            assertThat(Enrollment.normalize(request.code())).isEqualTo(request.code());
        } catch (ProtocolException e) {
            // the documented refusal
        }
    }

    @FuzzTest
    void code(byte[] input) {
        String code;
        try {
            code = Enrollment.normalize(new String(input, StandardCharsets.UTF_8));
        } catch (ProtocolException e) {
            return;
        }
        assertThat(Enrollment.normalize(Enrollment.format(code))).isEqualTo(code);
    }
}
