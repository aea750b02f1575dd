package dev.gatehouse.hub.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.protocol.model.MemberStatus;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The persistence kit every hub store is written with: its codec, its SQL and its binding. */
class PersistenceKitTest {

    @Nested
    class Cursors {
        @Test
        void aCursorComesBackAsItWasWritten() {
            Cursor cursor = new Cursor(1_764_000_000_123L, "mem_7k2m9q4x1c8v3b5n");
            assertThat(Cursor.decode(cursor.encode())).contains(cursor);
        }

        /** The wire format clients already hold: base64url, unpadded, of "key:id". */
        @Test
        void theWireFormatIsBase64urlOfKeyAndId() {
            assertThat(new Cursor(5, "a").encode()).isEqualTo("NTph");
        }

        /** A list must refuse what it did not write, or a made-up cursor pages from anywhere. */
        @ParameterizedTest
        @ValueSource(strings = {"", "0", "cred_zzzzzzzzzzzzzzzz", "not a cursor", "Ong", "eDph", "MTo", "!!"})
        void anythingTheCodecDidNotWriteIsRefused(String text) {
            assertThat(Cursor.decode(text)).isEmpty();
        }

        @Test
        void anOverlongCursorIsRefusedUnread() {
            assertThat(Cursor.decode("A".repeat(121))).isEmpty();
        }
    }

    @Nested
    class Keysets {
        @Test
        void ascendingBoundIsAnIndexRangeThenTheTie() {
            Query query = Keyset.ascending("created_at", "id")
                    .page(new Query("SELECT id FROM t WHERE tenant_id = ?", "t1"), Optional.of(new Cursor(7, "x")), 2);
            assertThat(query.sql())
                    .isEqualTo("SELECT id FROM t WHERE tenant_id = ? AND created_at >= ? AND (created_at > ? OR id > ?)"
                            + " ORDER BY created_at, id LIMIT ?");
            assertThat(query.params()).containsExactly("t1", 7L, 7L, "x", 3);
        }

        @Test
        void descendingWalksBackwards() {
            Query query = Keyset.descending("at", "id")
                    .page(new Query("SELECT id FROM t WHERE tenant_id = ?", "t1"), Optional.empty(), 50);
            assertThat(query.sql()).isEqualTo("SELECT id FROM t WHERE tenant_id = ? ORDER BY at DESC, id DESC LIMIT ?");
            assertThat(query.params()).containsExactly("t1", 51);
        }

        @Test
        void byIdBoundsOnTheIdAlone() {
            Query query = Keyset.BY_ID.page(
                    new Query("SELECT id FROM t WHERE a = ?", "t1"), Optional.of(new Cursor(0, "x")), 1);
            assertThat(query.sql()).isEqualTo("SELECT id FROM t WHERE a = ? AND id > ? ORDER BY id LIMIT ?");
        }

        @Test
        void aPageWithOneRowMoreNamesItsLastRowAsTheNextCursor() {
            Page<String> page = Keyset.page(List.of("a", "b", "c"), 2, id -> new Cursor(0, id));
            assertThat(page.items()).containsExactly("a", "b");
            assertThat(page.nextCursor().flatMap(Cursor::decode)).contains(new Cursor(0, "b"));
            assertThat(page.body()).containsOnlyKeys("items", "nextCursor");
        }

        @Test
        void theLastPageHasNoCursor() {
            Page<String> page = Keyset.page(List.of("a", "b"), 2, id -> new Cursor(0, id));
            assertThat(page.nextCursor()).isEmpty();
            assertThat(page.body()).containsOnlyKeys("items");
        }
    }

    @Nested
    class WireNamesConvertBothWays {
        @Test
        void javaNamesBecomeLowerCaseWithDashes() {
            assertThat(WireNames.wire(MemberStatus.CANCELLED)).isEqualTo("cancelled");
            assertThat(WireNames.wire("NFC_CARD")).isEqualTo("nfc-card");
        }

        @ParameterizedTest
        @ValueSource(strings = {"suspended", "SUSPENDED", "Suspended"})
        void eitherFormParses(String text) {
            assertThat(WireNames.parse(MemberStatus.class, text)).contains(MemberStatus.SUSPENDED);
        }

        @Test
        void anUnknownNameIsEmptyAndTheChoicesNameEveryConstant() {
            assertThat(WireNames.parse(MemberStatus.class, "gone")).isEmpty();
            assertThat(WireNames.choices(MemberStatus.class)).isEqualTo("active, suspended, cancelled");
        }
    }

    @Nested
    class Statements {
        @TempDir
        Path dir;

        Database database;

        @BeforeEach
        void open() {
            database = Database.open(StoreSettings.sqlite(dir));
            database.run(c -> Sql.update(
                    c, "CREATE TABLE kit (id TEXT PRIMARY KEY, n BIGINT, flag BOOLEAN, status TEXT, at BIGINT)"));
        }

        @AfterEach
        void close() {
            database.close();
        }

        /** Each type binds as the schema stores it: instants as epoch milliseconds, enums by Java name. */
        @Test
        void parametersBindByTheirType() {
            Instant at = Instant.parse("2026-12-04T10:00:00.123Z");
            database.run(c -> Sql.update(
                    c,
                    "INSERT INTO kit (id, n, flag, status, at) VALUES (?, ?, ?, ?, ?)",
                    "a",
                    42L,
                    true,
                    MemberStatus.SUSPENDED,
                    at));
            database.run(c -> Sql.update(
                    c,
                    "INSERT INTO kit (id, n, flag, status, at) VALUES (?, ?, ?, ?, ?)",
                    "b",
                    7,
                    false,
                    Optional.empty(),
                    null));
            record Row(String id, long n, boolean flag, String status, Optional<Instant> at) {}
            List<Row> rows = database.read(c -> Sql.list(
                    c,
                    "SELECT id, n, flag, status, at FROM kit ORDER BY id",
                    row -> new Row(
                            row.getString(1),
                            row.getLong(2),
                            row.getBoolean(3),
                            row.getString(4),
                            Sql.instant(row, 5))));
            assertThat(rows)
                    .containsExactly(
                            new Row("a", 42, true, "SUSPENDED", Optional.of(at)),
                            new Row("b", 7, false, null, Optional.empty()));
        }

        @Test
        void oneExistsBatchAndUpdateAnswerWhatTheyFound() {
            database.run(c ->
                    Sql.batch(c, "INSERT INTO kit (id, n) VALUES (?, ?)", List.of(List.of("x", 1L), List.of("y", 2L))));
            Optional<Long> y = database.read(c -> Sql.one(c, "SELECT n FROM kit WHERE id = ?", Sql.LONG, "y"));
            Optional<Long> z = database.read(c -> Sql.one(c, "SELECT n FROM kit WHERE id = ?", Sql.LONG, "z"));
            boolean x = database.read(c -> Sql.exists(c, "SELECT 1 FROM kit WHERE id = ?", "x"));
            int updated = database.write(c -> Sql.update(c, "UPDATE kit SET n = n + 1"));
            List<String> filtered = database.read(c -> Sql.list(
                    c, new Query("SELECT id FROM kit WHERE n > ?", 0L).andIf(Optional.of(3L), "n < ?"), Sql.STRING));
            assertThat(y).contains(2L);
            assertThat(z).isEmpty();
            assertThat(x).isTrue();
            assertThat(updated).isEqualTo(2);
            assertThat(filtered).containsExactly("x");
        }

        /** A row by id is the tenant's own: another tenant's row with that id is the same as none. */
        @Test
        void byIdReadsOnlyTheTenantsRow() {
            database.run(c -> Sql.update(c, "CREATE TABLE owned (id TEXT, tenant_id TEXT, n BIGINT)"));
            database.run(c -> Sql.batch(
                    c,
                    "INSERT INTO owned (id, tenant_id, n) VALUES (?, ?, ?)",
                    List.of(List.of("r", "t1", 1L), List.of("r", "t2", 2L))));
            Optional<Long> own = database.read(c -> Sql.byId(c, "owned", "n", Sql.LONG, "t2", "r"));
            Optional<Long> other = database.read(c -> Sql.byId(c, "owned", "n", Sql.LONG, "t3", "r"));
            assertThat(own).contains(2L);
            assertThat(other).isEmpty();
        }

        @Test
        void aValueTheKitCannotBindIsAProgrammingError() {
            assertThatThrownBy(() -> database.run(c -> Sql.update(c, "UPDATE kit SET n = ?", new Object())))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("cannot bind a java.lang.Object");
        }
    }
}
