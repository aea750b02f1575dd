package dev.gatehouse.hub.console;

import java.math.BigDecimal;
import java.text.DecimalFormat;
import java.text.NumberFormat;
import java.util.Currency;
import java.util.Locale;
import java.util.Optional;

/**
 * Amounts of money as people read and type them. The hub keeps minor units ({@code 123450} is 1,234.50
 * in a two-decimal currency); here they become decimal amounts through {@link BigDecimal#movePointLeft}
 * and back, never through floating point, with the currency's own number of decimals (JPY has none).
 */
public final class Money {
    private Money() {}

    /** {@code €1,234.50}: the amount in the currency's symbol and the locale's grouping. */
    public static String format(long minor, String currency, Locale locale) {
        Currency c = Currency.getInstance(currency);
        int digits = digits(c);
        DecimalFormat format = (DecimalFormat) NumberFormat.getCurrencyInstance(locale);
        format.setCurrency(c);
        format.setMinimumFractionDigits(digits);
        format.setMaximumFractionDigits(digits);
        return format.format(BigDecimal.valueOf(minor).movePointLeft(digits));
    }

    /** {@code 1234.50}: the amount as a form field shows it, to be typed back. */
    public static String typed(long minor, String currency) {
        return BigDecimal.valueOf(minor)
                .movePointLeft(digits(Currency.getInstance(currency)))
                .toPlainString();
    }

    /**
     * An amount typed as {@code 1234.5}, {@code 1,234.50} or {@code -5} (a comma only between thousands), in minor units of the currency;
     * empty when it is not an amount, or has more decimals than the currency. A sign is kept, so the
     * reader that decides (the API's own) can say why a negative amount is refused.
     */
    public static Optional<Long> minorUnits(String text, String currency) {
        int digits = digits(Currency.getInstance(currency));
        String t = text.strip();
        // A comma only groups thousands (1,234.50); 12,50 is refused, never read as 1250.
        if (!t.matches("-?(\\d{1,13}|\\d{1,3}(,\\d{3}){1,4})(\\.\\d+)?")) {
            return Optional.empty();
        }
        t = t.replace(",", "");
        BigDecimal amount = new BigDecimal(t);
        if (amount.stripTrailingZeros().scale() > digits) {
            return Optional.empty();
        }
        return Optional.of(amount.movePointRight(digits).longValueExact());
    }

    private static int digits(Currency currency) {
        return Math.max(currency.getDefaultFractionDigits(), 0);
    }
}
