package dev.gatehouse.protocol.codec;

import static dev.gatehouse.protocol.codec.MalformedInputTest.assertRejected;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.protocol.ProtocolError;
import dev.gatehouse.protocol.ProtocolException;
import dev.gatehouse.protocol.message.AccessEvent;
import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.message.SyncBatch;
import dev.gatehouse.protocol.model.Grant;
import dev.gatehouse.protocol.model.GrantId;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A grant's {@code entries} on the wire: it round-trips, a grant without it keeps the first
 * version's form, and every malformed part is refused with the field named, since an edge that
 * misread a limit would either lock a paying member out or let a used-up pass in.
 */
class GrantEntriesJsonTest {
    private static final String FILE = "sync.batch.entry-passes.json";
    private static final String ENTRIES = "/payload/changes/0/entity/entries";

    private static Grant grant(Envelope envelope) {
        return (Grant)
                ((Change.Upsert) envelope.payloadAs(SyncBatch.class).changes().getFirst()).entity();
    }

    @Test
    void theGoldenGrantCarriesItsLimitAndSpentDaysAndRoundTrips() {
        Envelope decoded = MessageCodec.decode(Golden.bytes(FILE));

        Grant.Entries entries = grant(decoded).entries().orElseThrow();

        assertThat(entries.limit()).isEqualTo(10);
        assertThat(entries.spent()).containsExactly(LocalDate.parse("2026-12-01"), LocalDate.parse("2026-12-03"));
        assertThat(entries.remaining()).isEqualTo(8);
        assertThat(MessageCodec.decode(MessageCodec.encode(decoded))).isEqualTo(decoded);
    }

    @Test
    void aGrantWithoutEntriesIsWrittenWithoutTheField() {
        // Old edges refuse unknown fields: a grant with no limit must look exactly as before.
        Envelope decoded = MessageCodec.decode(Golden.without(FILE, ENTRIES));

        assertThat(grant(decoded).entries()).isEmpty();
        assertThat(MessageCodec.encodeToString(decoded)).doesNotContain("entries");
    }

    @Test
    void anEmptySpentListIsAFreshPass() {
        Envelope decoded = MessageCodec.decode(Golden.with(FILE, ENTRIES + "/spent", "[]"));

        assertThat(grant(decoded).entries().orElseThrow().remaining()).isEqualTo(10);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            limit 0                    | /limit    | 0                                   | BAD_VALUE     | entries limit is 0; it must be between 1 and 1000
            limit above 1000           | /limit    | 1001                                | BAD_VALUE     | entries limit is 1001; it must be between 1 and 1000
            limit negative             | /limit    | -3                                  | BAD_VALUE     | entries limit is -3
            limit a string             | /limit    | "10"                                | WRONG_TYPE    | entries.limit must be an integer
            limit a fraction           | /limit    | 2.5                                 | WRONG_TYPE    | entries.limit must be an integer
            spent not an array         | /spent    | "2026-12-01"                        | WRONG_TYPE    | entries.spent must be an array
            spent a non-date           | /spent/0  | "yesterday"                         | BAD_VALUE     | entries.spent[0] 'yesterday' must be a date YYYY-MM-DD
            spent an impossible date   | /spent/0  | "2026-02-30"                        | BAD_VALUE     | entries.spent[0] '2026-02-30' is not a calendar date
            spent not sorted           | /spent    | ["2026-12-03","2026-12-01"]         | BAD_VALUE     | spent[1] 2026-12-01 does not come after 2026-12-03
            spent twice the same day   | /spent    | ["2026-12-01","2026-12-01"]         | BAD_VALUE     | each listed once
            spent a null day           | /spent/1  | null                                | WRONG_TYPE    | entries.spent[1] must not be null
            an unknown field           | /used     | 3                                   | UNKNOWN_FIELD | entries.used is not a field of this object
            entries not an object      |           | 10                                  | WRONG_TYPE    | entries must be an object
            """)
    void everyBadPartIsRefusedNamingTheField(
            String name, String pointer, String json, ProtocolError error, String mentions) {
        assertRejected(
                Golden.with(FILE, ENTRIES + (pointer == null ? "" : pointer), json),
                error,
                "payload.changes[0].entity",
                mentions);
    }

    @Test
    void moreSpentDaysThanTheLimitAreRefused() {
        byte[] input = Golden.with(FILE, ENTRIES + "/limit", "1");

        assertRejected(input, ProtocolError.BAD_VALUE, "entries spent lists 2 days, more than the limit of 1");
    }

    @Test
    void aMissingLimitOrSpentIsNamed() {
        assertRejected(
                Golden.without(FILE, ENTRIES + "/limit"), ProtocolError.MISSING_FIELD, "entries.limit is missing");
        assertRejected(
                Golden.without(FILE, ENTRIES + "/spent"), ProtocolError.MISSING_FIELD, "entries.spent is missing");
    }

    @Test
    void theRecordRefusesWhatTheWireRefuses() {
        // Hub code builds grants directly; the same rules hold there.
        assertThatThrownBy(() ->
                        new Grant.Entries(5, List.of(LocalDate.parse("2026-12-02"), LocalDate.parse("2026-12-01"))))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("ascending");
        assertThatThrownBy(() -> new Grant.Entries(5, null))
                .isInstanceOfSatisfying(
                        ProtocolException.class, e -> assertThat(e.error()).isEqualTo(ProtocolError.MISSING_FIELD));
    }

    @Test
    void anAccessEventNamesAGrantOnlyWhenAMemberGrantSpentADay() {
        // The hub counts a pass's days by this field; on a denial or another basis it would be a lie.
        String file = "event.access.pass-day.json";
        AccessEvent event = MessageCodec.decode(Golden.bytes(file)).payloadAs(AccessEvent.class);
        assertThat(event.grant()).contains(GrantId.of("gr_m-1042_plan-10-pass"));

        assertRejected(
                Golden.with(file, "/payload/basis", "\"staff-untrusted-clock\""),
                ProtocolError.BAD_VALUE,
                "only an event granted by member-grant spends a day");
        assertRejected(
                Golden.with(file, "/payload/granted", "false", "/payload/reason", "\"pass-used-up\""),
                ProtocolError.BAD_VALUE,
                "a denied access event needs a reason and no basis");
        assertRejected(Golden.with(file, "/payload/grant", "\"bad id\""), ProtocolError.BAD_VALUE, "payload.grant");
    }
}
