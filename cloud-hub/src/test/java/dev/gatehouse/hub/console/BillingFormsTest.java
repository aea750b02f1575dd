package dev.gatehouse.hub.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.hub.billing.BillingInterval;
import dev.gatehouse.hub.billing.BillingPackage;
import dev.gatehouse.hub.billing.Dunning;
import dev.gatehouse.hub.billing.PackageService;
import dev.gatehouse.hub.billing.PackageStore;
import dev.gatehouse.hub.billing.PaymentService;
import dev.gatehouse.hub.billing.Subscription;
import dev.gatehouse.hub.sites.ResourceKind;
import dev.gatehouse.hub.store.FieldError;
import dev.gatehouse.hub.store.WireNames;
import dev.gatehouse.hub.web.ApiException;
import dev.gatehouse.hub.web.Input;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The package form read as the API's body: the page accepts what the API accepts and names each
 * problem by the API's field, a stored package shown in the form saves back unchanged, and every value
 * the billing pages show has its words in the bundle.
 */
class BillingFormsTest {

    /** A new package's form with {@code typed} filled in over its defaults. */
    private static Map<String, String> typed(Map<String, String> typed) {
        Map<String, String> form = new HashMap<>(BillingPages.stored(Optional.empty()));
        form.putAll(typed);
        return form;
    }

    private static PackageStore.PackageInput read(
            Map<String, String> form, Optional<BillingPackage> current, List<FieldError> errors) {
        ObjectNode body = BillingPages.packageBody(form, "EUR", current.isPresent(), errors);
        try {
            return PackageService.input(Input.of(body, PackageService.FIELDS), current);
        } catch (ApiException e) {
            errors.addAll(e.errors());
            return null;
        }
    }

    @Test
    void aNewPackageIsReadByTheApisOwnReader() {
        Map<String, String> form = typed(Map.of(
                "name", "Fixed desk",
                "price", "1,234.50",
                "planId", "plan_1",
                "credits", "meeting-room: 8\nhot-desk=20\n",
                "publicSale", "on"));
        List<FieldError> errors = new ArrayList<>();

        PackageStore.PackageInput input = read(form, Optional.empty(), errors);

        assertThat(errors).isEmpty();
        assertThat(input.name()).isEqualTo("Fixed desk");
        assertThat(input.description()).isEmpty();
        assertThat(input.kind()).isEqualTo(BillingPackage.Kind.MEMBERSHIP);
        assertThat(input.price()).isEqualTo(123450);
        assertThat(input.interval()).isEqualTo(BillingInterval.MONTH);
        assertThat(input.planId()).contains("plan_1");
        assertThat(input.credits())
                .containsExactlyInAnyOrderEntriesOf(Map.of(ResourceKind.MEETING_ROOM, 8L, ResourceKind.HOT_DESK, 20L));
        assertThat(input.publicSale()).isTrue();
        assertThat(input.seats()).isEqualTo(1);
    }

    @Test
    void aStoredPackageShownInTheFormSavesBackUnchanged() {
        BillingPackage pass = new BillingPackage(
                "pkg_1",
                "Ten pass",
                "Ten days in a year",
                BillingPackage.Kind.PASS,
                9950,
                "EUR",
                BillingInterval.ONE_OFF,
                0,
                Optional.empty(),
                Map.of(ResourceKind.MEETING_ROOM, 2L),
                Optional.of(10),
                Optional.of(365),
                1,
                false,
                BillingPackage.Status.ACTIVE,
                "2027-01-01T00:00:00Z",
                "2027-01-01T00:00:00Z");
        List<FieldError> errors = new ArrayList<>();

        PackageStore.PackageInput input = read(BillingPages.stored(Optional.of(pass)), Optional.of(pass), errors);

        assertThat(errors).isEmpty();
        // Field by field as stored; the currency is left out, so the tenant's stays.
        assertThat(input.currency()).isEmpty();
        assertThat(input).usingRecursiveComparison().ignoringFields("currency").isEqualTo(pass);
    }

    @Test
    void everyProblemIsNamedByItsFieldAsTheApiNamesIt() {
        Map<String, String> form = typed(Map.of(
                "name", "",
                "kind", "pass",
                "price", "12.345",
                "seats", "3",
                "credits", "meeting-room 8\nspaceship: 2"));
        List<FieldError> errors = new ArrayList<>();

        read(form, Optional.empty(), errors);

        assertThat(errors)
                .extracting(FieldError::field)
                .contains(
                        "name",
                        "price",
                        "interval",
                        "passes",
                        "passValidDays",
                        "seats",
                        "credits",
                        "credits.spaceship");
        // The price typed with too many decimals is said in the form's terms, not minor units.
        assertThat(errors).filteredOn(e -> e.field().equals("price")).first().satisfies(e -> assertThat(e.message())
                .contains("12.345", "EUR"));
    }

    @Test
    void aNegativePriceIsRefusedByTheApisRuleNotTheFormsOwn() {
        Map<String, String> form = typed(Map.of("name", "Below zero", "price", "-5"));
        List<FieldError> errors = new ArrayList<>();

        read(form, Optional.empty(), errors);

        assertThat(errors)
                .singleElement()
                .satisfies(e -> assertThat(e.field()).isEqualTo("price"))
                .satisfies(e -> assertThat(e.message()).contains("never negative"));
    }

    @Test
    void everyValueThePagesShowHasItsWords() {
        Messages t = Guard.messages();
        List<String> keys = Stream.of(
                        words("billing.kind.", BillingPackage.Kind.values()),
                        words("billing.interval.", BillingInterval.values()),
                        words("billing.status.", BillingPackage.Status.values()),
                        words("billing.sub.status.", Subscription.Status.values()),
                        words("billing.dunning.", Dunning.State.values()),
                        words("portal.billing.dunning.", Dunning.State.values()),
                        words("billing.method.", PaymentService.Method.values()),
                        Stream.of("paid", "open", "overdue", "credit-note").map(s -> "billing.doc.status." + s))
                .flatMap(s -> s)
                .toList();
        assertThat(keys).allSatisfy(key -> assertThat(t.get(key)).as(key).doesNotStartWith("??"));
    }

    private static Stream<String> words(String prefix, Enum<?>[] values) {
        return Stream.of(values).map(v -> prefix + WireNames.wire(v));
    }
}
