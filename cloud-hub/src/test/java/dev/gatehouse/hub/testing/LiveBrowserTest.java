package dev.gatehouse.hub.testing;

import dev.gatehouse.browser.Browser;
import dev.gatehouse.hub.HubConfig;
import dev.gatehouse.hub.store.StoreKind;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;

/**
 * The frame of a browser test class: one {@link LiveSite} (a hub with a simulated site in sync) and
 * one headless Chromium for the whole class, and every test starting signed out with an empty
 * browser console log. A class that needs more sets it up in its own {@code @BeforeAll}, which runs
 * after this one's.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class LiveBrowserTest {
    protected LiveSite site;
    protected Browser browser;

    @BeforeAll
    void startSiteAndBrowser() throws Exception {
        site = LiveSite.start(StoreKind.SQLITE, this::hubConfig);
        browser = Browser.start(getClass());
    }

    /** The hub's configuration for this class; a class that needs, say, a real SMTP server changes it. */
    protected HubConfig hubConfig(HubConfig config) {
        return config;
    }

    @AfterAll
    void stopSiteAndBrowser() {
        try {
            if (browser != null) {
                browser.close();
            }
        } finally {
            if (site != null) {
                site.close();
            }
        }
    }

    @BeforeEach
    void signedOut() {
        browser.driver().manage().deleteAllCookies();
        browser.consoleErrors(); // reading empties the log: each test sees only its own page's errors
    }
}
