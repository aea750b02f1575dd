package dev.gatehouse.hub.store;

/**
 * One invalid input field and what to do about it. Lives in {@code store} so that a {@link
 * StoreResult.Invalid} can carry it without the store knowing the web layer.
 */
public record FieldError(String field, String message) {}
