package dev.gatehouse.hub.console;

import java.text.MessageFormat;
import java.util.Locale;
import java.util.MissingResourceException;
import java.util.ResourceBundle;

/**
 * The console's and portal's words, from the message bundle {@code console/messages} (English
 * today, ready for translation: add {@code messages_de.properties}). A missing key shows as
 * {@code ??key??} rather than failing the page, and a test checks that every key a template uses exists.
 */
public final class Messages {
    private final ResourceBundle bundle;
    private final Locale locale;

    private Messages(ResourceBundle bundle, Locale locale) {
        this.bundle = bundle;
        this.locale = locale;
    }

    public static Messages forLocale(Locale locale) {
        return new Messages(ResourceBundle.getBundle("console/messages", locale), locale);
    }

    public Locale locale() {
        return locale;
    }

    /** The text of {@code key}, with {@code {0}}, {@code {1}}… filled from {@code args}. */
    public String get(String key, Object... args) {
        String pattern;
        try {
            pattern = bundle.getString(key);
        } catch (MissingResourceException e) {
            return "??" + key + "??";
        }
        return args.length == 0 ? pattern : new MessageFormat(pattern, locale).format(args);
    }
}
