package dev.gatehouse.hub.billing;

import dev.gatehouse.hub.sites.ResourceKind;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.FieldError;
import dev.gatehouse.hub.store.HubIds;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreResult;
import dev.gatehouse.hub.store.WireNames;
import dev.gatehouse.hub.web.Times;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The tenant's package catalogue and its billing currency. */
public record PackageStore(Database database, Clock clock) {
    /** The currency of a tenant that has not chosen one. */
    public static final String DEFAULT_CURRENCY = "EUR";

    private static final String COLUMNS = "id, name, description, kind, price, currency, billing_interval,"
            + " commitment_periods, plan_id, passes, pass_valid_days, seats, public_sale, status, created_at,"
            + " updated_at";

    /** The columns an API client sets, in the order of {@link #settings}. */
    private static final String SETTINGS = "name = ?, description = ?, kind = ?, price = ?, billing_interval = ?,"
            + " commitment_periods = ?, plan_id = ?, passes = ?, pass_valid_days = ?, seats = ?, public_sale = ?,"
            + " status = ?, updated_at = ?";

    /** What an API client sets on a package; the store checks the plan, the currency and the name. */
    public record PackageInput(
            String name,
            String description,
            BillingPackage.Kind kind,
            long price,
            Optional<String> currency,
            BillingInterval interval,
            int commitmentPeriods,
            Optional<String> planId,
            Map<ResourceKind, Long> credits,
            Optional<Integer> passes,
            Optional<Integer> passValidDays,
            int seats,
            boolean publicSale,
            BillingPackage.Status status) {
        public PackageInput {
            credits = Map.copyOf(credits);
        }
    }

    public StoreResult<BillingPackage> create(String tenantId, PackageInput input) {
        String id = HubIds.next("pkg");
        Instant now = clock.instant();
        return database.write(c -> {
            Optional<StoreResult<BillingPackage>> refused = check(c, tenantId, Optional.empty(), input);
            if (refused.isPresent()) {
                return refused.get();
            }
            List<Object> row = new ArrayList<>(List.of(id, tenantId, currency(c, tenantId), now));
            row.addAll(settings(input, now));
            Sql.update(
                    c,
                    "INSERT INTO packages (id, tenant_id, currency, created_at, " + SETTINGS.replace(" = ?", "")
                            + ") VALUES (" + "?, ".repeat(16) + "?)",
                    row.toArray());
            writeCredits(c, id, input);
            return StoreResult.found(find(c, tenantId, id).orElseThrow());
        });
    }

    /** Replaces the package's settings; subscriptions already sold keep their price. */
    public StoreResult<BillingPackage> update(String tenantId, String packageId, PackageInput input) {
        Instant now = clock.instant();
        return database.write(c -> {
            if (find(c, tenantId, packageId).isEmpty()) {
                return new StoreResult.NotFound<>("package", packageId);
            }
            Optional<StoreResult<BillingPackage>> refused = check(c, tenantId, Optional.of(packageId), input);
            if (refused.isPresent()) {
                return refused.get();
            }
            List<Object> row = new ArrayList<>(settings(input, now));
            row.addAll(List.of(packageId, tenantId));
            Sql.update(c, "UPDATE packages SET " + SETTINGS + " WHERE id = ? AND tenant_id = ?", row.toArray());
            Sql.update(c, "DELETE FROM package_credits WHERE package_id = ?", packageId);
            writeCredits(c, packageId, input);
            return StoreResult.found(find(c, tenantId, packageId).orElseThrow());
        });
    }

    public Optional<BillingPackage> find(String tenantId, String packageId) {
        return database.read(c -> find(c, tenantId, packageId));
    }

    /** The catalogue by name; retired packages only when asked. */
    public List<BillingPackage> list(String tenantId, boolean withRetired) {
        return database.read(c -> {
            List<BillingPackage> packages = new ArrayList<>();
            for (String id : Sql.list(
                    c,
                    "SELECT id FROM packages WHERE tenant_id = ? AND (status = 'ACTIVE' OR ?) ORDER BY name, id",
                    Sql.STRING,
                    tenantId,
                    withRetired)) {
                find(c, tenantId, id).ifPresent(packages::add);
            }
            return List.copyOf(packages);
        });
    }

    /** The tenant's billing currency: ISO 4217, {@value #DEFAULT_CURRENCY} until chosen. */
    public String currency(String tenantId) {
        return database.read(c -> currency(c, tenantId));
    }

    /**
     * Chooses the tenant's billing currency; a Conflict once a package is priced in another, since
     * every amount in the tenant's books is in one currency.
     */
    public StoreResult<String> setCurrency(String tenantId, String currency) {
        Instant now = clock.instant();
        return database.write(c -> {
            List<String> priced = Sql.list(
                    c,
                    "SELECT name FROM packages WHERE tenant_id = ? AND currency <> ? ORDER BY name LIMIT 3",
                    Sql.STRING,
                    tenantId,
                    currency);
            if (!priced.isEmpty()) {
                return new StoreResult.Conflict<>("packages are priced in " + currency(c, tenantId) + " ("
                        + String.join(", ", priced) + "); the currency cannot change under them");
            }
            if (Sql.update(
                            c,
                            "UPDATE billing_settings SET currency = ?, updated_at = ? WHERE tenant_id = ?",
                            currency,
                            now,
                            tenantId)
                    == 0) {
                Sql.update(
                        c,
                        "INSERT INTO billing_settings (tenant_id, currency, updated_at) VALUES (?, ?, ?)",
                        tenantId,
                        currency,
                        now);
            }
            return StoreResult.found(currency);
        });
    }

    static String currency(Connection c, String tenantId) throws SQLException {
        return Sql.one(c, "SELECT currency FROM billing_settings WHERE tenant_id = ?", Sql.STRING, tenantId)
                .orElse(DEFAULT_CURRENCY);
    }

    /** Why the store refuses {@code input}, if it does: an unknown plan, another currency, a taken name. */
    private static Optional<StoreResult<BillingPackage>> check(
            Connection c, String tenantId, Optional<String> self, PackageInput input) throws SQLException {
        List<FieldError> errors = new ArrayList<>();
        String currency = currency(c, tenantId);
        if (input.currency().filter(sent -> !sent.equals(currency)).isPresent()) {
            errors.add(new FieldError(
                    "currency",
                    "is " + input.currency().get() + " but this tenant bills in " + currency + "; price the package in "
                            + currency + " (or leave currency out)"));
        }
        if (input.planId().isPresent()
                && !Sql.exists(
                        c,
                        "SELECT 1 FROM plans WHERE id = ? AND tenant_id = ?",
                        input.planId().get(),
                        tenantId)) {
            errors.add(new FieldError(
                    "planId", "names no plan of this tenant: " + input.planId().get()));
        }
        if (!errors.isEmpty()) {
            return Optional.of(new StoreResult.Invalid<>(errors));
        }
        if (Sql.exists(
                c,
                "SELECT 1 FROM packages WHERE tenant_id = ? AND name = ? AND id <> ?",
                tenantId,
                input.name(),
                self.orElse(""))) {
            return Optional.of(
                    new StoreResult.Conflict<>("a package named '" + input.name() + "' exists; choose another name"));
        }
        return Optional.empty();
    }

    private static List<Object> settings(PackageInput input, Instant now) {
        return java.util.Arrays.asList(
                input.name(),
                input.description(),
                input.kind(),
                input.price(),
                input.interval(),
                input.commitmentPeriods(),
                input.planId(),
                input.passes(),
                input.passValidDays(),
                input.seats(),
                input.publicSale(),
                input.status(),
                now);
    }

    private static void writeCredits(Connection c, String packageId, PackageInput input) throws SQLException {
        List<List<?>> rows = new ArrayList<>();
        input.credits().forEach((kind, credits) -> rows.add(List.of(packageId, kind.name(), credits)));
        if (!rows.isEmpty()) {
            Sql.batch(c, "INSERT INTO package_credits (package_id, resource_kind, credits) VALUES (?, ?, ?)", rows);
        }
    }

    static Optional<BillingPackage> find(Connection c, String tenantId, String packageId) throws SQLException {
        Optional<BillingPackage> bare = Sql.byId(c, "packages", COLUMNS, PackageStore::read, tenantId, packageId);
        if (bare.isEmpty()) {
            return bare;
        }
        Map<ResourceKind, Long> credits = new EnumMap<>(ResourceKind.class);
        Sql.list(
                        c,
                        "SELECT resource_kind, credits FROM package_credits WHERE package_id = ?",
                        row -> Map.entry(row.getString(1), row.getLong(2)),
                        packageId)
                .forEach(e -> credits.put(WireNames.of(ResourceKind.class, e.getKey()), e.getValue()));
        BillingPackage p = bare.get();
        return Optional.of(new BillingPackage(
                p.id(),
                p.name(),
                p.description(),
                p.kind(),
                p.price(),
                p.currency(),
                p.interval(),
                p.commitmentPeriods(),
                p.planId(),
                credits,
                p.passes(),
                p.passValidDays(),
                p.seats(),
                p.publicSale(),
                p.status(),
                p.createdAt(),
                p.updatedAt()));
    }

    private static BillingPackage read(ResultSet row) throws SQLException {
        int passes = row.getInt(10);
        Optional<Integer> pp = row.wasNull() ? Optional.empty() : Optional.of(passes);
        int valid = row.getInt(11);
        Optional<Integer> pv = row.wasNull() ? Optional.empty() : Optional.of(valid);
        return new BillingPackage(
                row.getString(1),
                row.getString(2),
                row.getString(3),
                WireNames.of(BillingPackage.Kind.class, row.getString(4)),
                row.getLong(5),
                row.getString(6),
                WireNames.of(BillingInterval.class, row.getString(7)),
                row.getInt(8),
                Optional.ofNullable(row.getString(9)),
                Map.of(),
                pp,
                pv,
                row.getInt(12),
                row.getBoolean(13),
                WireNames.of(BillingPackage.Status.class, row.getString(14)),
                Times.iso(row.getLong(15)),
                Times.iso(row.getLong(16)));
    }
}
