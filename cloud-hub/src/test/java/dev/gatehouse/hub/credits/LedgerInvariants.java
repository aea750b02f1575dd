package dev.gatehouse.hub.credits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.hub.store.Sql;
import java.sql.Connection;
import java.sql.SQLException;

/** What holds of a tenant's credit ledger whatever happened: the ledger property tests check it after steps. */
final class LedgerInvariants {
    private LedgerInvariants() {}

    /**
     * No booking debited or refunded twice, no month with two allowances, no subscription period
     * granted or expired twice, and each member's entries numbered 1, 2, 3… without a gap.
     */
    static void nothingTwiceAndNoGaps(Connection c, String tenantId, String when) throws SQLException {
        assertThat(Sql.list(
                        c,
                        "SELECT booking_id FROM credit_ledger WHERE tenant_id = ? AND booking_id IS NOT NULL"
                                + " GROUP BY booking_id, kind HAVING COUNT(*) > 1",
                        Sql.STRING,
                        tenantId))
                .as("%s: bookings debited or refunded twice", when)
                .isEmpty();
        assertThat(Sql.list(
                        c,
                        "SELECT period FROM credit_ledger WHERE tenant_id = ? AND kind = 'ALLOWANCE'"
                                + " GROUP BY member_id, period HAVING COUNT(*) > 1",
                        Sql.STRING,
                        tenantId))
                .as("%s: periods with two allowances", when)
                .isEmpty();
        assertThat(Sql.list(
                        c,
                        "SELECT subscription_id FROM credit_ledger WHERE tenant_id = ? AND subscription_id IS NOT"
                                + " NULL GROUP BY subscription_id, period, resource_kind, kind HAVING COUNT(*) > 1",
                        Sql.STRING,
                        tenantId))
                .as("%s: subscription periods granted or expired twice", when)
                .isEmpty();
        assertThat(Sql.list(
                        c,
                        "SELECT member_id FROM credit_ledger WHERE tenant_id = ? GROUP BY member_id"
                                + " HAVING MAX(seq) <> COUNT(*) OR MIN(seq) <> 1",
                        Sql.STRING,
                        tenantId))
                .as("%s: members whose entries are not numbered 1, 2, 3…", when)
                .isEmpty();
    }
}
