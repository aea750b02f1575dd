package dev.gatehouse.hub.web;

/** One invalid input field and what to do about it. */
public record FieldError(String field, String message) {}
