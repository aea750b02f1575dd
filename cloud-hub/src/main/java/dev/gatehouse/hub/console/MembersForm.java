package dev.gatehouse.hub.console;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.hub.members.MemberService;
import dev.gatehouse.hub.members.MemberStore;
import dev.gatehouse.hub.store.FieldError;
import dev.gatehouse.hub.web.ApiException;
import dev.gatehouse.hub.web.Input;
import dev.gatehouse.hub.web.Json;
import dev.gatehouse.protocol.model.MemberStatus;
import io.helidon.common.parameters.Parameters;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A member's profile as the console's forms send it (e-mail, full name, phone, company), checked by
 * the API's own rules ({@link Input}, {@link MemberService#phone}) so a page and the API refuse the
 * same values with the same words. {@code errors} maps a field to its message; the values are kept
 * as typed so that a refused form shows them again.
 */
public record MembersForm(String email, String fullName, String phone, String company, Map<String, String> errors) {
    private static final String[] FIELDS = {"email", "fullName", "phone", "company"};

    public MembersForm {
        errors = Map.copyOf(errors);
    }

    /** An empty form, for a new member. */
    public static MembersForm blank() {
        return new MembersForm("", "", "", "", Map.of());
    }

    /** The form filled with a member's profile, to edit it. */
    public static MembersForm of(MemberStore.MemberView member) {
        return new MembersForm(
                member.email(),
                member.fullName(),
                Optional.ofNullable(member.phone()).orElse(""),
                Optional.ofNullable(member.company()).orElse(""),
                Map.of());
    }

    /** Reads and checks the submitted fields. */
    public static MembersForm read(Parameters form) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        Map<String, String> typed = new LinkedHashMap<>();
        for (String field : FIELDS) {
            String value = form.first(field).asOptional().orElse("");
            typed.put(field, value);
            if (!value.isBlank()) {
                body.put(field, value);
            }
        }
        Input input = Input.of(body, FIELDS);
        input.email("email");
        input.text("fullName", 200);
        MemberService.phone(input);
        input.optionalText("company", 200);
        Map<String, String> errors = new LinkedHashMap<>();
        try {
            input.done();
        } catch (ApiException e) {
            for (FieldError error : e.errors()) {
                errors.putIfAbsent(error.field(), error.message());
            }
        }
        return new MembersForm(
                typed.get("email"), typed.get("fullName"), typed.get("phone"), typed.get("company"), errors);
    }

    /** The same form with {@code message} on {@code field} (a taken e-mail the store found). */
    public MembersForm withError(String field, String message) {
        Map<String, String> more = new LinkedHashMap<>(errors);
        more.put(field, message);
        return new MembersForm(email, fullName, phone, company, more);
    }

    public boolean valid() {
        return errors.isEmpty();
    }

    public Optional<String> error(String field) {
        return Optional.ofNullable(errors.get(field));
    }

    /** The checked values as the store takes them, keeping the member's roles and status. */
    public MemberStore.MemberInput input(Set<String> roles, MemberStatus status) {
        return new MemberStore.MemberInput(
                email.strip().toLowerCase(java.util.Locale.ROOT),
                fullName.strip(),
                Optional.of(phone.strip()).filter(s -> !s.isEmpty()),
                Optional.of(company.strip()).filter(s -> !s.isEmpty()),
                roles,
                status);
    }
}
