package dev.gatehouse.hub.portal;

/** Stops a portal handler when no member is signed in: the portal's error handler sends the browser to its sign-in. */
final class SignInFirst extends RuntimeException {
    SignInFirst() {
        super("sign in to the member portal first", null, false, false);
    }
}
