package dev.gatehouse.hub;

import dev.gatehouse.hub.access.AccessLogService;
import dev.gatehouse.hub.access.AccessLogStore;
import dev.gatehouse.hub.changes.ChangeLog;
import dev.gatehouse.hub.commands.CommandService;
import dev.gatehouse.hub.commands.Commands;
import dev.gatehouse.hub.credentials.CredentialService;
import dev.gatehouse.hub.credentials.CredentialStore;
import dev.gatehouse.hub.credentials.VisitorPassStore;
import dev.gatehouse.hub.members.MemberService;
import dev.gatehouse.hub.members.MemberStore;
import dev.gatehouse.hub.plans.PlanService;
import dev.gatehouse.hub.plans.PlanStore;
import dev.gatehouse.hub.projection.ExplainService;
import dev.gatehouse.hub.sites.SiteService;
import dev.gatehouse.hub.sites.SiteStore;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.sync.EdgeDevices;
import dev.gatehouse.hub.sync.EdgeLink;
import dev.gatehouse.hub.sync.StoreEdgeDevices;
import dev.gatehouse.hub.sync.SyncPublisher;
import dev.gatehouse.hub.sync.SyncRequests;
import dev.gatehouse.hub.tenants.AdminBootstrap;
import dev.gatehouse.hub.tenants.AuthFilter;
import dev.gatehouse.hub.tenants.TenantService;
import dev.gatehouse.hub.tenants.TenantStore;
import dev.gatehouse.hub.web.HealthService;
import dev.gatehouse.hub.web.OpenApiService;
import dev.gatehouse.hub.web.Problems;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import java.time.Clock;
import java.util.logging.Logger;

/** The running hub: its store and its web server. Tests start it on port 0 and stop it. */
public final class Hub implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Hub.class.getName());

    private final HubConfig config;
    private final Database database;
    private final WebServer server;
    private final Stores stores;
    private final Sync sync;

    private Hub(HubConfig config, Database database, WebServer server, Stores stores, Sync sync) {
        this.config = config;
        this.database = database;
        this.server = server;
        this.stores = stores;
        this.sync = sync;
    }

    /** Sync and commands toward the edges: what publishes the change logs, answers requests, sends commands. */
    public record Sync(SyncPublisher publisher, SyncRequests requests, Commands commands) {
        static Sync over(Stores stores, EdgeDevices devices, EdgeLink link, HubConfig config) {
            return new Sync(
                    new SyncPublisher(stores.database(), devices, link, stores.clock(), config.sync()),
                    new SyncRequests(stores.database(), devices, link, stores.clock(), config.sync()),
                    new Commands(stores.database(), devices, link, stores.clock()));
        }
    }

    /** The hub's domain stores over one database, shared by the routes, sync and benchmarks. */
    public record Stores(
            Database database,
            Clock clock,
            TenantStore tenants,
            SiteStore sites,
            ChangeLog changes,
            CredentialStore credentials,
            VisitorPassStore visitorPasses,
            MemberStore members,
            PlanStore plans,
            AccessLogStore accessLog) {
        public static Stores over(Database database, Clock clock) {
            return new Stores(
                    database,
                    clock,
                    new TenantStore(database, clock),
                    new SiteStore(database, clock),
                    new ChangeLog(database),
                    new CredentialStore(database, clock),
                    new VisitorPassStore(database, clock),
                    new MemberStore(database, clock),
                    new PlanStore(database, clock),
                    new AccessLogStore(database, clock));
        }
    }

    /** Opens the store (migrating it), makes the first admin token if needed, and starts serving. */
    public static Hub start(HubConfig config, Clock clock) {
        Database database = Database.open(config.store());
        try {
            Stores stores = Stores.over(database, clock);
            AdminBootstrap.ensureAdminToken(stores.tenants(), config.dataDir());
            EdgeLink link = (topic, payload) -> LOG.fine("no MQTT link: not publishing to " + topic);
            Sync sync = Sync.over(stores, new StoreEdgeDevices(database), link, config);
            sync.publisher().start();
            WebServer server = WebServer.builder()
                    .host(config.host())
                    .port(config.port())
                    .maxPayloadSize(config.maxBodyBytes())
                    .routing(routing -> routing(routing, stores, config, sync))
                    .build()
                    .start();
            LOG.info("hub listening on http://" + config.host() + ":" + server.port() + " with store "
                    + database.description());
            return new Hub(config, database, server, stores, sync);
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
    }

    /** Every route of the hub; tests and the main entry point use the same routing. */
    public static void routing(HttpRouting.Builder routing, Stores stores, HubConfig config, Sync sync) {
        int maxBody = config.maxBodyBytes();
        Problems.register(routing);
        routing.addFilter(new AuthFilter(stores.database(), config.baseDomain()))
                .register("/health", new HealthService(stores.database()))
                .register("/openapi", new OpenApiService())
                .register("/api/v1", new TenantService(stores.tenants(), maxBody))
                .register("/api/v1", new SiteService(stores.sites(), stores.changes(), maxBody))
                .register(
                        "/api/v1",
                        new CredentialService(stores.credentials(), stores.visitorPasses(), stores.clock(), maxBody),
                        new MemberService(stores.members(), maxBody),
                        new PlanService(stores.plans(), maxBody),
                        new ExplainService(stores.database(), stores.clock()))
                .register("/api/v1", new AccessLogService(stores.accessLog()))
                .register("/api/v1", new CommandService(sync.commands(), stores.sites(), maxBody));
    }

    public int port() {
        return server.port();
    }

    public HubConfig config() {
        return config;
    }

    public Stores stores() {
        return stores;
    }

    public Database database() {
        return database;
    }

    /** Sync and commands; {@code sync().publisher().awaitPublished(siteId, seq, timeout)} waits for a publish. */
    public Sync sync() {
        return sync;
    }

    @Override
    public void close() {
        server.stop();
        sync.publisher().close();
        database.close();
    }
}
