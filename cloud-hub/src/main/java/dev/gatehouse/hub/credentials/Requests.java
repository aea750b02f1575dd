package dev.gatehouse.hub.credentials;

import dev.gatehouse.hub.sites.SiteService;
import dev.gatehouse.hub.web.ApiException;
import dev.gatehouse.hub.web.Input;
import dev.gatehouse.protocol.Ids;
import io.helidon.webserver.http.ServerRequest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reading query parameters and answering store results, shared by the credential and pass routes. */
final class Requests {
    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 500;

    private Requests() {}

    /** The saved value, or the problem that answers the caller. */
    static <T> T value(StoreResult<T> result) {
        return switch (result) {
            case StoreResult.Ok<T> ok -> ok.value();
            case StoreResult.Missing<T> missing -> throw ApiException.notFound(missing.what(), missing.id());
            case StoreResult.Refused<T> refused -> throw ApiException.conflict(refused.detail());
            case StoreResult.Invalid<T> invalid -> throw ApiException.invalid(invalid.errors());
        };
    }

    static int limit(ServerRequest req) {
        return (int) SiteService.query(req, "limit", 1, MAX_LIMIT, DEFAULT_LIMIT);
    }

    /** The {@code cursor} of a list: the {@code nextCursor} of the page before. */
    static Optional<String> cursor(ServerRequest req) {
        return id(req, "cursor", "a nextCursor from the previous page");
    }

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
        List<String> names = new ArrayList<>();
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equalsIgnoreCase(value.get().replace('-', '_'))) {
                return Optional.of(constant);
            }
            names.add(CredentialStore.wire(constant.name()));
        }
        throw ApiException.invalid(
                name, "'" + Ids.printable(value.get()) + "' is not one of " + String.join(", ", names));
    }

    /** An optional instant of the body, to the millisecond (the store's precision). */
    static Optional<Instant> instant(Input input, String field) {
        return input.instant(field).map(value -> value.truncatedTo(ChronoUnit.MILLIS));
    }
}
