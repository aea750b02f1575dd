package db.migration;

import dev.gatehouse.hub.members.MemberTerms;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * Schema version 10 (issue 12, member search at 100,000 members): the table {@code member_terms}
 * and the terms of the members stored before it. A Java migration, found by Flyway beside the SQL
 * ones, because splitting names into words has no portable SQL.
 */
public class V10__member_terms extends BaseJavaMigration {
    @Override
    public void migrate(Context context) throws Exception {
        Connection c = context.getConnection();
        // Searches are ranges over terms (term >= prefix AND term < prefix + U+FFFF): on PostgreSQL the
        // column compares byte-wise ("C"), whatever the database's collation, as SQLite's TEXT does.
        boolean postgres = c.getMetaData()
                .getDatabaseProductName()
                .toLowerCase(java.util.Locale.ROOT)
                .contains("postgres");
        String termType = postgres ? "TEXT COLLATE \"C\"" : "TEXT";
        try (Statement create = c.createStatement()) {
            create.execute("CREATE TABLE member_terms (tenant_id TEXT NOT NULL, term " + termType + " NOT NULL,"
                    + " member_id TEXT NOT NULL REFERENCES members (id) ON DELETE CASCADE,"
                    + " PRIMARY KEY (tenant_id, term, member_id))");
            create.execute("CREATE INDEX member_terms_member ON member_terms (tenant_id, member_id)");
        }
        List<MemberTerms.Row> batch = new ArrayList<>();
        try (Statement select = c.createStatement();
                ResultSet rows = select.executeQuery("SELECT tenant_id, id, email, full_name FROM members")) {
            while (rows.next()) {
                batch.add(new MemberTerms.Row(
                        rows.getString(1), rows.getString(2), rows.getString(3), rows.getString(4)));
                if (batch.size() == 1_000) {
                    MemberTerms.insert(c, batch);
                    batch.clear();
                }
            }
        }
        MemberTerms.insert(c, batch);
    }
}
