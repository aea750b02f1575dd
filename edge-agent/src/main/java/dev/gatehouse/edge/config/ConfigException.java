package dev.gatehouse.edge.config;

/**
 * A configuration the agent cannot run with. The message names the key (as a path such as
 * {@code doors[1].relay-pin}) and says what is wrong and what would be right.
 */
public final class ConfigException extends RuntimeException {
    private final String key;

    public ConfigException(String key, String problem) {
        super(key.isEmpty() ? problem : key + ": " + problem);
        this.key = key;
    }

    public ConfigException(String key, String problem, Throwable cause) {
        super(key.isEmpty() ? problem : key + ": " + problem, cause);
        this.key = key;
    }

    /** The key at fault, as a path ({@code ""} for the file as a whole). */
    public String key() {
        return key;
    }
}
