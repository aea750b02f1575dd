package dev.gatehouse.hub.members;

/**
 * One field of a member history entry: its value before and after, each a string, a list of strings,
 * a map of strings to strings, or null (none). Shown as {@code "field": {"from": …, "to": …}}.
 */
public record FieldChange(String field, Object from, Object to) {}
