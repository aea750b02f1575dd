package dev.gatehouse.hub.console;

import dev.gatehouse.hub.store.FieldError;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A form as it is shown again: the values as typed (or stored) and each problem by the field the
 * API's reader named, so a page puts every message next to its field.
 */
public record FormState(Map<String, String> values, List<FieldError> errors) {
    public FormState {
        values = Map.copyOf(values);
        errors = List.copyOf(errors);
    }

    public static FormState of(Map<String, String> values) {
        return new FormState(values, List.of());
    }

    public String value(String field) {
        return values.getOrDefault(field, "");
    }

    /** The problems of a field and of its parts ({@code credits.meeting-room}), joined. */
    public Optional<String> error(String field) {
        List<String> messages = errors.stream()
                .filter(e -> e.field().equals(field) || e.field().startsWith(field + "."))
                .map(e -> e.field().equals(field) ? e.message() : e.field() + ": " + e.message())
                .toList();
        return messages.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", messages));
    }

    /** The problems of no field in {@code fields}: said above the form. */
    public List<String> otherErrors(List<String> fields) {
        return errors.stream()
                .filter(e -> !fields.contains(e.field()))
                .map(FieldError::message)
                .toList();
    }

    /** A page's view that shows a form: its values and problems read by field from {@link #state()}. */
    public interface Shown {
        FormState state();

        default String value(String field) {
            return state().value(field);
        }

        default Optional<String> error(String field) {
            return state().error(field);
        }

        default List<FieldError> errors() {
            return state().errors();
        }
    }
}
