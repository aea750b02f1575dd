package dev.gatehouse.hub.store;

/** The two stores the hub runs on. */
public enum StoreKind {
    SQLITE("SQLite"),
    POSTGRESQL("PostgreSQL");

    private final String label;

    StoreKind(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
