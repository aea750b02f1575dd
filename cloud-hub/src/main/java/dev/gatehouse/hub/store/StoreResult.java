package dev.gatehouse.hub.store;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * What a store operation came to, as a value: the thing {@link Found}, or why not. Stores return it
 * for every expected outcome and never throw HTTP exceptions; the web layer turns it into a status
 * and an RFC 9457 problem in one exhaustive switch ({@code web.StoreResults.value}). Faults (the
 * store is down, a constraint race) stay {@link StoreException}s.
 *
 * <p>A result returned from {@link Database#write} commits the transaction: return NotFound,
 * Conflict or Invalid before writing anything, and throw to undo writes already made.
 */
public sealed interface StoreResult<T>
        permits StoreResult.Found, StoreResult.NotFound, StoreResult.Conflict, StoreResult.Invalid {

    /** The value read or saved: 200/201 with it. */
    record Found<T>(T value) implements StoreResult<T> {}

    /** The resource does not exist for this tenant (another tenant's is the same as none): 404. */
    record NotFound<T>(String what, String id) implements StoreResult<T> {}

    /** The resource's state forbids the change (a revoked credential, a taken e-mail, a stale read): 409. */
    record Conflict<T>(String reason) implements StoreResult<T> {}

    /** A field is wrong in a way only the store can see (it refers to nothing here): 422 naming each field. */
    record Invalid<T>(List<FieldError> errors) implements StoreResult<T> {
        public Invalid {
            errors = List.copyOf(errors);
        }
    }

    static <T> StoreResult<T> found(T value) {
        return new Found<>(value);
    }

    /** Found when {@code value} is present, else NotFound naming {@code what} and {@code id}. */
    static <T> StoreResult<T> of(Optional<T> value, String what, String id) {
        return value.<StoreResult<T>>map(Found::new).orElseGet(() -> new NotFound<>(what, id));
    }

    static <T> StoreResult<T> invalid(String field, String message) {
        return new Invalid<>(List.of(new FieldError(field, message)));
    }

    /** The value turned by {@code f} when found; a refusal as it is, for the other type. */
    default <U> StoreResult<U> map(Function<T, U> f) {
        return switch (this) {
            case Found<T> found -> new Found<>(f.apply(found.value()));
            case NotFound<T> none -> new NotFound<>(none.what(), none.id());
            case Conflict<T> conflict -> new Conflict<>(conflict.reason());
            case Invalid<T> invalid -> new Invalid<>(invalid.errors());
        };
    }
}
