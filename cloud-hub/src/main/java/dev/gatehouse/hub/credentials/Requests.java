package dev.gatehouse.hub.credentials;

import dev.gatehouse.hub.store.WireNames;
import dev.gatehouse.hub.web.ApiException;
import dev.gatehouse.hub.web.Input;
import dev.gatehouse.protocol.Ids;
import io.helidon.webserver.http.ServerRequest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/** Reading query parameters, shared by the credential and pass routes. */
final class Requests {
    private Requests() {}

    /** An optional id in the query, or 422 naming the parameter. */
    static Optional<String> id(ServerRequest req, String name, String what) {
        Optional<String> value = req.query().first(name).asOptional();
        if (value.isPresent() && !Ids.isValid(value.get())) {
            throw ApiException.invalid(name, "'" + Ids.printable(value.get()) + "' is not " + what);
        }
        return value;
    }

    /** An optional enum in the query ({@code revoked}, {@code REVOKED}), or 422 naming the parameter and the choices. */
    static <E extends Enum<E>> Optional<E> enumValue(ServerRequest req, String name, Class<E> type) {
        Optional<String> value = req.query().first(name).asOptional();
        if (value.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(WireNames.parse(type, value.get())
                .orElseThrow(() -> ApiException.invalid(
                        name, "'" + Ids.printable(value.get()) + "' is not one of " + WireNames.choices(type))));
    }

    /** An optional instant of the body, to the millisecond (the store's precision). */
    static Optional<Instant> instant(Input input, String field) {
        return input.instant(field).map(value -> value.truncatedTo(ChronoUnit.MILLIS));
    }
}
