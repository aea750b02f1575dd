package dev.gatehouse.hub.credentials;

import dev.gatehouse.hub.web.FieldError;
import java.util.List;

/**
 * What a credential or visitor-pass write came to: the saved value, or why not. Expected outcomes
 * are values here; the web layer turns them into statuses in one exhaustive switch.
 */
public sealed interface StoreResult<T>
        permits StoreResult.Ok, StoreResult.Missing, StoreResult.Refused, StoreResult.Invalid {

    record Ok<T>(T value) implements StoreResult<T> {}

    /** The resource in the path does not exist for this tenant (another tenant's is the same as none). */
    record Missing<T>(String what, String id) implements StoreResult<T> {}

    /** The resource's state forbids the change (a revoked credential, a taken card): 409. */
    record Refused<T>(String detail) implements StoreResult<T> {}

    /** A field refers to something that is not there for this tenant or site: 422 naming each field. */
    record Invalid<T>(List<FieldError> errors) implements StoreResult<T> {
        public Invalid {
            errors = List.copyOf(errors);
        }
    }
}
