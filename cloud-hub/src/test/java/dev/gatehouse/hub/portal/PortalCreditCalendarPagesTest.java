package dev.gatehouse.hub.portal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.hub.accounts.Sessions;
import dev.gatehouse.hub.accounts.WebSession;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.TestHub;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The member's credits page and calendar link over HTTP, on SQLite and PostgreSQL: the page shows the
 * month's balance with the allowance counted in before the first booking writes it, each entry with
 * its booking, refunds, adjustments and overage, a page at a time; the calendar link is made and
 * rotated only by a POST with the session's token, serves the member's own bookings as text/calendar,
 * and the old address stops at once. No member reads another's credits or calendar.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class PortalCreditCalendarPagesTest {
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final Pattern FEED = Pattern.compile("value=\"(http://[^\"]+/ical/[A-Za-z0-9_-]{43}\\.ics)\"");

    static TestHub hub;

    @Parameter
    StoreKind store;

    private TestHub.Tenant tenant;
    private String room;
    private LocalDate day;

    @BeforeParameterizedClassInvocation
    static void start(StoreKind kind) {
        hub = TestHub.start(kind);
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        hub.close();
    }

    @BeforeEach
    void tenant() {
        tenant = hub.newTenant("portal-credits");
        String site = hub.create(
                "/api/v1/sites",
                tenant.token(),
                "{\"name\":\"Berlin\",\"address\":\"1 Main St\",\"timeZone\":\"Europe/Berlin\"}");
        // 2 credits and 25.00 an hour: 1.5 hours cost 3 credits, and 37.50.
        room = hub.create(
                "/api/v1/sites/" + site + "/resources",
                tenant.token(),
                "{\"name\":\"Room Ada\",\"kind\":\"meeting-room\",\"pricePerHour\":2500,\"creditsPerHour\":2}");
        day = LocalDate.now(BERLIN).plusDays(2);
    }

    @Nested
    class Credits {
        @Test
        void beforeTheFirstBookingTheMonthShowsItsAllowanceAsTheBalanceAndNoEntries() {
            String ada = member("ada", 10);
            String page = get(ada, "/portal/credits").text();
            assertThat(figure(page, "credits-balance")).isEqualTo("10");
            assertThat(figure(page, "credits-allowance")).isEqualTo("10");
            assertThat(page).contains("id=\"ledger-none\"", "Nothing used or given in");
            // Nothing was written by reading: the ledger writes the allowance when a booking needs it.
            assertThat(hub.api()
                            .get("/api/v1/members/" + ada + "/credits?period=" + YearMonth.now(BERLIN), tenant.token())
                            .json()
                            .get("entries"))
                    .isEmpty();
            // A member without a plan has nothing, and a period that is not a month shows this month.
            String none =
                    get(member("nobody", 0), "/portal/credits?period=nonsense").text();
            assertThat(figure(none, "credits-balance")).isEqualTo("0");
            assertThat(none).contains("id=\"ledger-none\"");
        }

        @Test
        void bookingsRefundsAdjustmentsAndOverageAreListedWithTheirBookingNewestFirst() {
            String ada = member("ada", 10);
            String planning = book(ada, "10:00", "11:30", "Planning");
            cancel(planning);
            adjust(ada, -9, "projector broken: deducted by agreement");
            book(ada, "14:00", "15:30", "Review");
            String page =
                    get(ada, "/portal/credits?period=" + YearMonth.from(day)).text();
            // 10 allowance − 3 + 3 refunded − 9 adjusted = 1 left; the review needs 3: 1 debited, 2 overage.
            assertThat(figure(page, "credits-balance")).isEqualTo("0");
            assertThat(figure(page, "credits-allowance")).isEqualTo("10");
            assertThat(figure(page, "credits-overage")).isEqualTo("2 credits beyond the balance · 25.00 due");
            assertThat(kinds(page)).containsExactly("debit", "adjustment", "refund", "debit", "allowance");
            assertThat(page)
                    .contains("Room Ada, ", "10:00–11:30", "Planning", "Review")
                    .contains("Refund: Room Ada, ")
                    .contains("projector broken: deducted by agreement")
                    .contains("2 credits beyond your balance: 25.00 due")
                    .contains("−9", "+10", "+3", "−1");
        }

        @Test
        void aLongMonthIsShownTwentyEntriesAtATimeNewestFirst() {
            String ada = member("ada", 0);
            for (int i = 1; i <= 23; i++) {
                adjust(ada, i, "correction " + i);
            }
            String first = get(ada, "/portal/credits").text();
            assertThat(count(first, "data-kind=\"adjustment\"")).isEqualTo(20);
            assertThat(first).contains("correction 23", "correction 4").doesNotContain("correction 3<");
            Matcher older = Pattern.compile("href=\"(/portal/credits\\?period=[0-9-]+&amp;before=\\d+)\" id=\"older\"")
                    .matcher(first);
            assertThat(older.find()).isTrue();
            String second = get(ada, older.group(1).replace("&amp;", "&")).text();
            assertThat(count(second, "data-kind=\"adjustment\"")).isEqualTo(3);
            assertThat(second).contains("correction 3", "correction 1").doesNotContain("id=\"older\"");
            // The balance is the month's, on every page.
            assertThat(figure(second, "credits-balance")).isEqualTo(String.valueOf(23 * 24 / 2));
        }

        @Test
        void aMemberSeesOnlyTheirOwnLedgerWhateverTheyAsk() {
            String ada = member("ada", 10);
            adjust(ada, 5, "welcome gift for ada");
            book(ada, "10:00", "11:00", "Ada's meeting");
            String ben = member("ben", 0);
            String bens = get(ben, "/portal/credits?memberId=" + ada).text();
            assertThat(bens).doesNotContain("welcome gift", "Room Ada").contains("id=\"ledger-none\"");
            TestHub.Tenant other = hub.newTenant("elsewhere");
            String zoe = hub.create(
                    "/api/v1/members",
                    other.token(),
                    "{\"email\":\"zoe@elsewhere.example\",\"fullName\":\"Zoe Stranger\"}");
            String theirs = get(other.id(), zoe, "/portal/credits").text();
            assertThat(theirs).doesNotContain("welcome gift", "Room Ada").contains("id=\"ledger-none\"");
            assertThat(hub.api()
                            .withCookie("GET", "/portal/credits", "gh_member=nonsense", Optional.empty())
                            .status())
                    .isEqualTo(303);
        }
    }

    @Nested
    class CalendarLink {
        @Test
        void theLinkIsMadeByAPostWithTheTokenServesTheMembersBookingsAndRotatingStopsTheOldOne() {
            String ada = member("ada", 10);
            book(ada, "10:00", "11:00", "Ada planning");
            String ben = member("ben", 10);
            book(ben, "12:00", "13:00", "Ben secret meeting");
            Sessions.Opened session = session(tenant.id(), ada);
            String cookie = "gh_member=" + session.cookieValue();

            String before = hub.api()
                    .withCookie("GET", "/portal/calendar", cookie, Optional.empty())
                    .text();
            assertThat(before).contains("You have no calendar link yet.", "Make my calendar link");
            assertThat(hub.api()
                            .withCookie("POST", "/portal/calendar", cookie, Optional.of("_csrf=wrong"))
                            .status())
                    .isEqualTo(403);
            assertThat(hub.api()
                            .withCookie("GET", "/portal/calendar", cookie, Optional.empty())
                            .text())
                    .contains("You have no calendar link yet.");

            Api.Response made = rotate(cookie, session);
            assertThat(made.status()).isEqualTo(200);
            assertThat(made.headers().firstValue("Cache-Control")).hasValue("no-store");
            String first = feedUrl(made.text());
            assertThat(made.text()).contains("webcal://", "It is shown only now");
            Api.Response feed = fetch(first);
            assertThat(feed.status()).isEqualTo(200);
            assertThat(feed.contentType()).startsWith("text/calendar");
            assertThat(feed.text())
                    .contains("BEGIN:VCALENDAR", "SUMMARY:Ada planning", "Room Ada")
                    .doesNotContain("Ben secret meeting");

            // Later the page says there is a link, without showing it again.
            String later = hub.api()
                    .withCookie("GET", "/portal/calendar", cookie, Optional.empty())
                    .text();
            assertThat(later).contains("You made your calendar link on", "Make a new link");
            assertThat(later).doesNotContain(first.substring(first.lastIndexOf('/') + 1));

            String second = feedUrl(rotate(cookie, session).text());
            assertThat(second).isNotEqualTo(first);
            assertThat(fetch(first).status()).isEqualTo(404);
            assertThat(fetch(second).text()).contains("SUMMARY:Ada planning");
            assertThat(hub.api()
                            .get("/api/v1/audit?actor=" + ada + "&action=calendar-feed.rotate", tenant.token())
                            .json()
                            .get("items"))
                    .hasSize(2);

            // Turned off, no address works.
            Api.Response removed = hub.api()
                    .withCookie(
                            "POST",
                            "/portal/calendar/remove",
                            cookie,
                            Optional.of("_csrf=" + session.session().csrfToken()));
            assertThat(removed.status()).isEqualTo(303);
            assertThat(fetch(second).status()).isEqualTo(404);
            assertThat(hub.api()
                            .withCookie("GET", "/portal/calendar?removed=1", cookie, Optional.empty())
                            .text())
                    .contains("Your calendar link is off", "You have no calendar link yet.");
        }

        @Test
        void anotherMembersLinkIsLeftAloneByMine() {
            String ada = member("ada", 10);
            String ben = member("ben", 10);
            book(ben, "12:00", "13:00", "Ben meeting");
            Sessions.Opened bens = session(tenant.id(), ben);
            String benUrl =
                    feedUrl(rotate("gh_member=" + bens.cookieValue(), bens).text());
            Sessions.Opened adas = session(tenant.id(), ada);
            String adaUrl =
                    feedUrl(rotate("gh_member=" + adas.cookieValue(), adas).text());
            assertThat(fetch(benUrl).text()).contains("SUMMARY:Ben meeting");
            assertThat(fetch(adaUrl).text()).doesNotContain("Ben meeting");
        }
    }

    // ---- helpers

    private String member(String name, int credits) {
        String member = hub.create(
                "/api/v1/members",
                tenant.token(),
                "{\"email\":\"" + name + "@example.com\",\"fullName\":\"" + name + " Member\"}");
        if (credits > 0) {
            String plan = hub.create(
                    "/api/v1/plans",
                    tenant.token(),
                    "{\"name\":\"Flex " + name + "\",\"doorGroupIds\":[],\"creditsPerMonth\":" + credits + "}");
            Api.Response assigned = hub.api().put("/api/v1/members/" + member + "/plans/" + plan, tenant.token(), "{}");
            assertThat(assigned.status()).as(assigned.toString()).isEqualTo(201);
        }
        return member;
    }

    private String book(String member, String from, String to, String title) {
        return hub.create(
                "/api/v1/bookings",
                tenant.token(),
                "{\"resourceId\":\"" + room + "\",\"memberId\":\"" + member + "\",\"title\":\"" + title
                        + "\",\"start\":\"" + local(from) + "\",\"end\":\"" + local(to) + "\"}");
    }

    private void cancel(String booking) {
        assertThat(hub.api()
                        .post("/api/v1/bookings/" + booking + "/cancel", tenant.token(), "")
                        .status())
                .isEqualTo(200);
    }

    private void adjust(String member, int credits, String reason) {
        hub.create(
                "/api/v1/members/" + member + "/credits/adjustments",
                tenant.token(),
                "{\"period\":\"" + YearMonth.from(day) + "\",\"credits\":" + credits + ",\"reason\":\"" + reason
                        + "\"}");
    }

    private Instant local(String time) {
        return day.atTime(LocalTime.parse(time)).atZone(BERLIN).toInstant();
    }

    private static Sessions.Opened session(String tenantId, String memberId) {
        return new Sessions(hub.hub().database(), Clock.systemUTC(), MemberSessions.LIFETIME, MemberSessions.LIFETIME)
                .open(tenantId, WebSession.Kind.MEMBER, memberId, "127.0.0.1", false);
    }

    private Api.Response get(String member, String path) {
        return get(tenant.id(), member, path);
    }

    private static Api.Response get(String tenantId, String member, String path) {
        Api.Response page = hub.api()
                .withCookie(
                        "GET", path, "gh_member=" + session(tenantId, member).cookieValue(), Optional.empty());
        assertThat(page.status()).as(path).isEqualTo(200);
        return page;
    }

    private static Api.Response rotate(String cookie, Sessions.Opened session) {
        return hub.api()
                .withCookie(
                        "POST",
                        "/portal/calendar",
                        cookie,
                        Optional.of("_csrf=" + session.session().csrfToken()));
    }

    private static String feedUrl(String page) {
        Matcher url = FEED.matcher(page);
        assertThat(url.find()).as("a feed address in the page").isTrue();
        return url.group(1);
    }

    /** The feed as a calendar app fetches it: no cookie, no token, the address alone. */
    private static Api.Response fetch(String url) {
        return hub.api().get(url.substring(url.indexOf("/ical/")), null);
    }

    private static String figure(String page, String id) {
        Matcher m = Pattern.compile("id=\"" + id + "\">([^<]*)<").matcher(page);
        assertThat(m.find()).as(id).isTrue();
        return m.group(1).strip();
    }

    private static java.util.List<String> kinds(String page) {
        return Pattern.compile("data-kind=\"([a-z-]+)\"")
                .matcher(page)
                .results()
                .map(r -> r.group(1))
                .toList();
    }

    private static int count(String page, String text) {
        return page.split(Pattern.quote(text), -1).length - 1;
    }
}
