package dev.gatehouse.edge.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The lookups a door decision makes are point reads on an index, never a scan of a million rows. */
class CacheIndexTest {
    @TempDir
    Path directory;

    static Stream<Arguments> lookups() {
        byte[] hash = new byte[32];
        return Stream.of(
                Arguments.of(
                        "by card hash",
                        CacheView.SQL_BY_CARD_HASH,
                        List.of(hash),
                        List.of("SEARCH c USING PRIMARY KEY (card_hash=?)", "SEARCH e USING PRIMARY KEY")),
                Arguments.of(
                        "by kind and id (credential, member, door ...)",
                        CacheView.SQL_BY_KEY,
                        List.of("credential", "c-1"),
                        List.of("SEARCH entity USING PRIMARY KEY (kind=? AND key=?)")),
                Arguments.of(
                        "grants or bookings of a member, in id order",
                        CacheView.SQL_BY_MEMBER,
                        List.of("m-1", "grant"),
                        List.of("SEARCH m USING PRIMARY KEY (member=? AND kind=?)", "SEARCH e USING PRIMARY KEY")),
                Arguments.of(
                        "all of a kind (site, signing keys)",
                        SqliteEntityRows.SQL_ALL_OF_KIND,
                        List.of("signing-key"),
                        List.of("SEARCH entity USING PRIMARY KEY (kind=?)")),
                Arguments.of(
                        "pass use",
                        PassUses.SQL_PASS_USED,
                        List.of("vp-1"),
                        List.of("SEARCH pass_use USING PRIMARY KEY (pass=?)")),
                Arguments.of(
                        "days spent on a pass",
                        PassDays.SQL_DAYS,
                        List.of("gr_m-1_ten-pass"),
                        List.of("SEARCH pass_day USING PRIMARY KEY (grant_id=?)")),
                Arguments.of(
                        "check-in of a booking",
                        BookingStates.SQL_CHECKED_IN,
                        List.of("bk-1"),
                        List.of("SEARCH booking_state USING PRIMARY KEY (booking=?)")),
                Arguments.of(
                        "bookings due for release (the sweep, not a decision)",
                        BookingStates.SQL_DUE,
                        List.of(1L, 2L),
                        List.of(
                                "SEARCH c USING PRIMARY KEY (start>? AND start<?)",
                                "CORRELATED SCALAR SUBQUERY",
                                "SEARCH s USING PRIMARY KEY (booking=?)",
                                "SEARCH e USING PRIMARY KEY")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lookups")
    void everyDecisionLookupSearchesAnIndexAndSortsNothing(
            String what, String sql, List<Object> parameters, List<String> steps) throws SQLException {
        // Why: with 1,000,000 credentials a scan takes a second; the indexed read takes microseconds.
        Path file = directory.resolve("cache.db");
        CacheFixtures.open(directory).close(); // migrated schema
        List<String> plan = new ArrayList<>();
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
                PreparedStatement explain = connection.prepareStatement("EXPLAIN QUERY PLAN " + sql)) {
            for (int i = 0; i < parameters.size(); i++) {
                explain.setObject(i + 1, parameters.get(i));
            }
            try (ResultSet rows = explain.executeQuery()) {
                while (rows.next()) {
                    plan.add(rows.getString("detail"));
                }
            }
        }
        assertThat(plan).as("query plan of %s", sql).hasSameSizeAs(steps);
        for (int i = 0; i < steps.size(); i++) {
            assertThat(plan.get(i)).as("step %d of the plan of %s", i + 1, sql).startsWith(steps.get(i));
        }
        assertThat(String.join("\n", plan)).doesNotContain("SCAN").doesNotContain("TEMP B-TREE");
    }
}
