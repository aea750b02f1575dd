package dev.gatehouse.hub.store;

/** What went wrong in the hub's store, so the web layer can map it to a status without parsing text. */
public enum StoreError {
    /** A unique key is taken (a slug, an e-mail, a card hash). */
    CONFLICT,
    /** A row refers to a row that does not exist or is still referred to. */
    REFERENCE,
    /** The store cannot be reached or refused the work. */
    UNAVAILABLE,
    /** The store's schema or settings are wrong; the message says what to fix. */
    MISCONFIGURED
}
