package dev.gatehouse.hub.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Money as pages show and read it: minor units in and out with the currency's own decimals, exact at
 * any size (a double would print 1234.5 as 1234.4999… somewhere), so what a form shows reads back to
 * the same minor units.
 */
class MoneyTest {

    @ParameterizedTest
    @CsvSource({
        "123450, EUR, '€1,234.50'",
        "5, EUR, '€0.05'",
        "-2500, EUR, '-€25.00'",
        "1000000000, EUR, '€10,000,000.00'",
        "1234, JPY, '¥1,234'"
    })
    void minorUnitsAreShownWithTheCurrencysDecimals(long minor, String currency, String shown) {
        assertThat(Money.format(minor, currency, Locale.ENGLISH)).isEqualTo(shown);
        // The form shows the plain amount, and reading it gives the same minor units back.
        assertThat(Money.minorUnits(Money.typed(minor, currency), currency)).contains(minor);
    }

    @ParameterizedTest
    @CsvSource({
        "'1,234.5', EUR, 123450",
        "' 249 ', EUR, 24900",
        "-5, EUR, -500",
        "0.10, EUR, 10",
        "1234, JPY, 1234",
        "99999999999.99, EUR, 9999999999999"
    })
    void typedAmountsAreReadExactly(String typed, String currency, long minor) {
        assertThat(Money.minorUnits(typed, currency)).contains(minor);
    }

    @ParameterizedTest
    @CsvSource({"12.345, EUR", "12.5, JPY", "abc, EUR", "'', EUR", "1e3, EUR", "'12,50', EUR", "'1,23,456', EUR"})
    void whatIsNoAmountOfTheCurrencyIsRefused(String typed, String currency) {
        // A comma groups thousands only: 12,50 typed for twelve euros fifty must not become 1,250.
        assertThat(Money.minorUnits(typed, currency)).isEmpty();
    }
}
