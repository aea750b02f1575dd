package dev.gatehouse.hub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.store.StoreSettings;
import dev.gatehouse.hub.testing.PostgresServer;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The storage tests use the local PostgreSQL when one runs; on a machine without one they start a
 * PostgreSQL from a jar. This proves that fallback works here too, whichever path the suite took.
 */
class EmbeddedPostgresTest {
    @TempDir
    Path dir;

    @Test
    void theHubSchemaMigratesOnAPostgresStartedFromAJar() throws Exception {
        try (EmbeddedPostgres postgres = PostgresServer.startEmbedded()) {
            String url = postgres.getJdbcUrl("postgres", "postgres");
            try (Database database = Database.open(new StoreSettings(dir, Optional.of(url), "", "", 2))) {
                assertThat(database.kind()).isEqualTo(StoreKind.POSTGRESQL);
                assertThat(database.ping()).isTrue();
                int tables = database.read(c -> {
                    try (var rows = c.createStatement()
                            .executeQuery(
                                    "SELECT count(*) FROM information_schema.tables WHERE table_name = 'site_changes'")) {
                        rows.next();
                        return rows.getInt(1);
                    }
                });
                assertThat(tables).isEqualTo(1);
            }
        }
    }
}
