package dev.gatehouse.hub;

import dev.gatehouse.hub.access.AccessLogService;
import dev.gatehouse.hub.access.AccessLogStore;
import dev.gatehouse.hub.accounts.AccountService;
import dev.gatehouse.hub.accounts.AccountStore;
import dev.gatehouse.hub.accounts.Invitations;
import dev.gatehouse.hub.accounts.OneTimeLinks;
import dev.gatehouse.hub.accounts.Sessions;
import dev.gatehouse.hub.agreements.AgreementService;
import dev.gatehouse.hub.agreements.AgreementStore;
import dev.gatehouse.hub.alerts.AlertMonitor;
import dev.gatehouse.hub.alerts.AlertService;
import dev.gatehouse.hub.alerts.AlertStore;
import dev.gatehouse.hub.analytics.Analytics;
import dev.gatehouse.hub.analytics.AnalyticsService;
import dev.gatehouse.hub.announcements.AnnouncementMails;
import dev.gatehouse.hub.announcements.AnnouncementPages;
import dev.gatehouse.hub.announcements.AnnouncementService;
import dev.gatehouse.hub.announcements.AnnouncementStore;
import dev.gatehouse.hub.announcements.Announcements;
import dev.gatehouse.hub.audit.Audit;
import dev.gatehouse.hub.audit.AuditService;
import dev.gatehouse.hub.audit.AuditStore;
import dev.gatehouse.hub.billing.BillingRun;
import dev.gatehouse.hub.billing.ChargeService;
import dev.gatehouse.hub.billing.ChargeStore;
import dev.gatehouse.hub.billing.DunningService;
import dev.gatehouse.hub.billing.InvoiceService;
import dev.gatehouse.hub.billing.InvoiceStore;
import dev.gatehouse.hub.billing.ManualPayments;
import dev.gatehouse.hub.billing.PackageService;
import dev.gatehouse.hub.billing.PackageStore;
import dev.gatehouse.hub.billing.PassService;
import dev.gatehouse.hub.billing.PassStore;
import dev.gatehouse.hub.billing.PaymentService;
import dev.gatehouse.hub.billing.PaymentStore;
import dev.gatehouse.hub.billing.PublicPurchases;
import dev.gatehouse.hub.billing.StripePayments;
import dev.gatehouse.hub.billing.StripeStore;
import dev.gatehouse.hub.billing.StripeWebhookService;
import dev.gatehouse.hub.billing.SubscriptionService;
import dev.gatehouse.hub.billing.SubscriptionStore;
import dev.gatehouse.hub.bookings.BookingApprovals;
import dev.gatehouse.hub.bookings.BookingCheckIns;
import dev.gatehouse.hub.bookings.BookingMoveService;
import dev.gatehouse.hub.bookings.BookingMoves;
import dev.gatehouse.hub.bookings.BookingService;
import dev.gatehouse.hub.bookings.BookingStore;
import dev.gatehouse.hub.bookings.CalendarFeedService;
import dev.gatehouse.hub.bookings.CalendarFeedStore;
import dev.gatehouse.hub.bookings.DecisionMails;
import dev.gatehouse.hub.bookings.IcalService;
import dev.gatehouse.hub.bookings.ReleaseSweep;
import dev.gatehouse.hub.bookings.ResourceService;
import dev.gatehouse.hub.bookings.ResourceStore;
import dev.gatehouse.hub.bookings.RoomControllerService;
import dev.gatehouse.hub.bookings.RoomControllerStore;
import dev.gatehouse.hub.bookings.SeriesService;
import dev.gatehouse.hub.bookings.SeriesStore;
import dev.gatehouse.hub.changes.ChangeLog;
import dev.gatehouse.hub.commands.CommandService;
import dev.gatehouse.hub.commands.Commands;
import dev.gatehouse.hub.connectors.ConnectorActions;
import dev.gatehouse.hub.connectors.ConnectorService;
import dev.gatehouse.hub.connectors.Connectors;
import dev.gatehouse.hub.connectors.hubspot.HubSpotConnector;
import dev.gatehouse.hub.connectors.quickbooks.QuickBooksConnector;
import dev.gatehouse.hub.connectors.slack.SlackConnector;
import dev.gatehouse.hub.console.AgreementPages;
import dev.gatehouse.hub.console.ConnectorPages;
import dev.gatehouse.hub.console.Console;
import dev.gatehouse.hub.console.KioskPages;
import dev.gatehouse.hub.console.VisitorLogPages;
import dev.gatehouse.hub.console.WebhookPages;
import dev.gatehouse.hub.credentials.CredentialService;
import dev.gatehouse.hub.credentials.CredentialStore;
import dev.gatehouse.hub.credentials.VisitorPassStore;
import dev.gatehouse.hub.credits.CreditService;
import dev.gatehouse.hub.credits.CreditStore;
import dev.gatehouse.hub.devices.DeviceEnrollments;
import dev.gatehouse.hub.devices.DeviceService;
import dev.gatehouse.hub.devices.DeviceStore;
import dev.gatehouse.hub.devices.Devices;
import dev.gatehouse.hub.devices.EnrollmentService;
import dev.gatehouse.hub.devices.ProvisioningService;
import dev.gatehouse.hub.external.ExternalAccessService;
import dev.gatehouse.hub.external.ExternalAccessStore;
import dev.gatehouse.hub.ingest.AccessStreamService;
import dev.gatehouse.hub.ingest.EventIngest;
import dev.gatehouse.hub.ingest.IngestSignal;
import dev.gatehouse.hub.ingest.SyncStatusService;
import dev.gatehouse.hub.kiosk.HostNotices;
import dev.gatehouse.hub.kiosk.HubKiosks;
import dev.gatehouse.hub.kiosk.KioskDesk;
import dev.gatehouse.hub.kiosk.KioskSignIns;
import dev.gatehouse.hub.kiosk.VisitorLogService;
import dev.gatehouse.hub.members.MemberService;
import dev.gatehouse.hub.members.MemberStore;
import dev.gatehouse.hub.mqtt.EmbeddedBroker;
import dev.gatehouse.hub.mqtt.MqttLink;
import dev.gatehouse.hub.mqtt.MqttRuntime;
import dev.gatehouse.hub.parcels.ParcelNotices;
import dev.gatehouse.hub.parcels.ParcelPages;
import dev.gatehouse.hub.parcels.ParcelService;
import dev.gatehouse.hub.parcels.ParcelStore;
import dev.gatehouse.hub.parcels.Parcels;
import dev.gatehouse.hub.plans.PlanAssignmentService;
import dev.gatehouse.hub.plans.PlanAssignmentStore;
import dev.gatehouse.hub.plans.PlanService;
import dev.gatehouse.hub.plans.PlanStore;
import dev.gatehouse.hub.portal.HubKioskPages;
import dev.gatehouse.hub.portal.Portal;
import dev.gatehouse.hub.privacy.PersonalData;
import dev.gatehouse.hub.privacy.PrivacyService;
import dev.gatehouse.hub.privacy.RetentionSweep;
import dev.gatehouse.hub.privacy.VisitorPrivacyService;
import dev.gatehouse.hub.projection.ExplainService;
import dev.gatehouse.hub.rooms.RoomStateService;
import dev.gatehouse.hub.rooms.RoomStateStore;
import dev.gatehouse.hub.secrets.TlsIdentity;
import dev.gatehouse.hub.sites.DoorGroupService;
import dev.gatehouse.hub.sites.DoorGroupStore;
import dev.gatehouse.hub.sites.DoorService;
import dev.gatehouse.hub.sites.DoorStore;
import dev.gatehouse.hub.sites.SiteService;
import dev.gatehouse.hub.sites.SiteStore;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.sync.EdgeDevices;
import dev.gatehouse.hub.sync.EdgeLink;
import dev.gatehouse.hub.sync.SiteLeases;
import dev.gatehouse.hub.sync.StoreLeases;
import dev.gatehouse.hub.sync.SyncPublisher;
import dev.gatehouse.hub.sync.SyncRequests;
import dev.gatehouse.hub.tenants.AdminBootstrap;
import dev.gatehouse.hub.tenants.AuthFilter;
import dev.gatehouse.hub.tenants.TenantHost;
import dev.gatehouse.hub.tenants.TenantService;
import dev.gatehouse.hub.tenants.TenantStore;
import dev.gatehouse.hub.web.HealthService;
import dev.gatehouse.hub.web.OpenApiService;
import dev.gatehouse.hub.web.Problems;
import dev.gatehouse.hub.web.StrictUris;
import dev.gatehouse.hub.webhooks.DisabledNotice;
import dev.gatehouse.hub.webhooks.WebhookActions;
import dev.gatehouse.hub.webhooks.WebhookDispatcher;
import dev.gatehouse.hub.webhooks.WebhookService;
import dev.gatehouse.hub.webhooks.WebhookStore;
import dev.gatehouse.hub.wifi.WifiVoucherService;
import dev.gatehouse.hub.wifi.WifiVoucherStore;
import dev.gatehouse.protocol.topic.Channel;
import io.helidon.common.tls.Tls;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http.HttpRouting;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * The running hub: its store, its MQTT side (embedded broker and link) and its web server. Tests start
 * it on port 0 and stop it.
 */
public final class Hub implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Hub.class.getName());

    /** The largest Wi-Fi voucher pool file taken in one upload (10,000 lines fit easily). */
    private static final int WIFI_UPLOAD_BYTES = 2 * 1024 * 1024;

    private final HubConfig config;
    private final Database database;
    private final WebServer server;
    private final Stores stores;
    private final MqttRuntime mqtt;
    private final EventIngest ingest;
    private final Sync sync;
    private final AlertMonitor alerts;
    private final ReleaseSweep releases;
    private final BillingRun billing;
    private final WebhookDispatcher webhooks;
    private final Connectors connectors;
    private final RetentionSweep retention;
    private final dev.gatehouse.hub.members.SiteNameSweep siteNames;
    private final ParcelNotices parcelNotices;
    private final AnnouncementMails announcementMails;
    private final HostNotices hostNotices;
    private final dev.gatehouse.hub.analytics.WeeklyReportMails weeklyReports;

    private Hub(
            HubConfig config,
            Database database,
            WebServer server,
            Stores stores,
            MqttRuntime mqtt,
            EventIngest ingest,
            Sync sync,
            AlertMonitor alerts,
            ReleaseSweep releases,
            BillingRun billing,
            RetentionSweep retention,
            dev.gatehouse.hub.members.SiteNameSweep siteNames,
            ParcelNotices parcelNotices,
            AnnouncementMails announcementMails,
            HostNotices hostNotices,
            dev.gatehouse.hub.analytics.WeeklyReportMails weeklyReports,
            WebhookDispatcher webhooks,
            Connectors connectors) {
        this.config = config;
        this.database = database;
        this.server = server;
        this.stores = stores;
        this.mqtt = mqtt;
        this.ingest = ingest;
        this.sync = sync;
        this.alerts = alerts;
        this.releases = releases;
        this.billing = billing;
        this.webhooks = webhooks;
        this.connectors = connectors;
        this.retention = retention;
        this.siteNames = siteNames;
        this.parcelNotices = parcelNotices;
        this.announcementMails = announcementMails;
        this.hostNotices = hostNotices;
        this.weeklyReports = weeklyReports;
    }

    private static BillingRun billing(Database database, Clock clock) {
        return new BillingRun(
                database, new SubscriptionStore(database, clock), dev.gatehouse.hub.credits.PackageAllowances::settle);
    }

    /** Payments behind one interface: manual ones and Stripe (at {@code hub.stripe.api-base}). */
    private static PaymentService payments(Stores stores, HubConfig config, Audit audit) {
        PaymentStore payments = new PaymentStore(stores.database(), stores.clock());
        return new PaymentService(
                payments,
                new ManualPayments(payments),
                new StripePayments(
                        payments, new StripeStore(stores.database(), stores.clock()), config.stripeApiBase()),
                audit,
                stores.clock(),
                config.maxBodyBytes());
    }

    /** The mails that tell members an item waits at the desk (sent after each log; the sweep retries). */
    private static ParcelNotices parcelNotices(Stores stores, HubConfig config) {
        return new ParcelNotices(
                new ParcelStore(stores.database(), stores.clock()),
                config.mail().mailer(stores.clock()),
                config.console().publicUrl());
    }

    /** Sync and commands toward the edges: what publishes the change logs, answers requests, sends commands. */
    public record Sync(SyncPublisher publisher, SyncRequests requests, Commands commands) {
        static Sync over(Stores stores, EdgeDevices devices, EdgeLink link, HubConfig config) {
            Database database = stores.database();
            // Replicas on PostgreSQL publish a site under its lease; a hub on SQLite is alone.
            SiteLeases leases = database.kind() == StoreKind.POSTGRESQL
                    ? new StoreLeases(
                            database, database.replicaId(), config.sync().leaseTerm())
                    : SiteLeases.everySite();
            return new Sync(
                    new SyncPublisher(database, devices, link, stores.clock(), config.sync(), leases),
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
            DoorStore doors,
            DoorGroupStore doorGroups,
            DeviceStore devices,
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
                    new DoorStore(database, clock),
                    new DoorGroupStore(database, clock),
                    new DeviceStore(database, clock),
                    new ChangeLog(database),
                    new CredentialStore(database, clock),
                    new VisitorPassStore(database, clock),
                    new MemberStore(database, clock),
                    new PlanStore(database, clock),
                    new AccessLogStore(database, clock));
        }
    }

    /**
     * Opens the store (migrating it), makes the first admin token if needed, starts the MQTT broker
     * (embedded), registers the MQTT handlers, connects the link, and starts serving.
     */
    public static Hub start(HubConfig config, Clock clock) {
        // The certificate and key first: a bad TLS setting stops the start before the store is touched.
        Optional<TlsIdentity> tls = config.tls().load();
        Database database = Database.open(config.store(), config.keys());
        MqttRuntime mqtt = null;
        EventIngest ingest = null;
        SyncPublisher publisher = null;
        Connectors connectors = null;
        try {
            Stores stores = Stores.over(database, clock);
            // The hourly presence the analytics read, made with this hub's dwell if not yet so.
            dev.gatehouse.hub.access.PresenceRollup.prepare(
                    database, config.console().dwell());
            AdminBootstrap.ensureAdminToken(stores.tenants(), config.dataDir());
            mqtt = MqttRuntime.create(config.mqtt(), config.dataDir(), new Devices(database), tls);
            MqttLink link = mqtt.link();
            Sync sync = Sync.over(stores, EdgeDevices.over(mqtt.devices()), link::publish, config);
            // MQTT handlers: every component that receives from edges registers here, before startLink().
            link.onMessage(Channel.SYNC_REQUEST, sync.requests()::handle);
            link.onMessage(Channel.COMMAND_ACK, sync.commands()::handleAck);
            // After a reconnect, publish again what failed while the broker was away.
            link.onConnected(sync.publisher()::linkConnected);
            IngestSignal signal = new IngestSignal();
            ingest = new EventIngest(database, clock, mqtt.devices(), link, signal);
            ingest.register();
            mqtt.startLink();
            publisher = sync.publisher();
            publisher.start();
            // Other replicas' commits and stored events, heard at once (PostgreSQL LISTEN/NOTIFY).
            SyncPublisher published = publisher;
            database.notices()
                    .onChanges(published::changed)
                    .onIngest(signal::fire)
                    .onReconnect(() -> {
                        signal.fire();
                        published.linkConnected();
                    })
                    .start();
            MqttRuntime started = mqtt;
            connectors = connectors(database, clock, config);
            Connectors connectorsRef = connectors;
            WebServerConfig.Builder web = WebServer.builder();
            tls.ifPresent(identity -> web.tls(Tls.builder()
                    .privateKey(identity.privateKey())
                    .privateKeyCertChain(identity.chain())
                    .build()));
            WebServer server = web.host(config.host())
                    .port(config.port())
                    .maxPayloadSize(config.maxBodyBytes())
                    // The server's own refusals leave as problems too; its message (escaped, about the
                    // caller's own request) goes into the problem's detail.
                    .directHandlers(Problems.directHandlers(config.maxBodyBytes()))
                    .errorHandling(errors -> errors.includeEntity(true))
                    .routing(routing -> routing(routing, stores, config, started, signal, sync, connectorsRef))
                    .build()
                    .start();
            LOG.info("hub listening on " + (tls.isPresent() ? "https://" : "http://") + config.host() + ":"
                    + server.port() + " with store " + database.description()
                    + (config.mqtt().enabled() ? ", MQTT " + mqtt.publicUrl() : ""));
            AlertMonitor alerts = new AlertMonitor(
                            new AlertStore(database, clock),
                            config.mail().mailer(clock),
                            config.console().publicUrl(),
                            clock,
                            signal::generation,
                            signal::await)
                    .start();
            ReleaseSweep releases = new ReleaseSweep(
                            new BookingCheckIns(database, clock),
                            new BookingApprovals(
                                    database,
                                    clock,
                                    new DecisionMails(
                                            database,
                                            config.mail().mailer(clock),
                                            config.console().publicUrl())))
                    .start();
            BillingRun billing = billing(database, clock).start();
            RetentionSweep retention = new RetentionSweep(
                            new PersonalData(database, clock),
                            new dev.gatehouse.hub.privacy.VisitorPrivacyStore(database, clock))
                    .start();
            // Members' names follow plans that start or end with time (SiteNames).
            dev.gatehouse.hub.members.SiteNameSweep siteNames =
                    new dev.gatehouse.hub.members.SiteNameSweep(database, clock).start();
            ParcelNotices parcelNotices = parcelNotices(stores, config).start();
            AnnouncementMails announcementMails = new AnnouncementMails(
                            new AnnouncementStore(database, clock),
                            config.mail().mailer(clock),
                            config.console().publicUrl())
                    .start();
            // Hosts told of their visitors as soon as ingest stores a kiosk sign-in (issue 17: within 5 s).
            HostNotices hostNotices = new HostNotices(
                            new KioskSignIns(database, clock),
                            config.mail().mailer(clock),
                            config.console().publicUrl(),
                            signal::generation,
                            signal::await)
                    .start();
            dev.gatehouse.hub.analytics.WeeklyReportMails weeklyReports =
                    new dev.gatehouse.hub.analytics.WeeklyReportMails(
                                    analytics(stores, config),
                                    database,
                                    config.mail().mailer(clock),
                                    clock)
                            .start();
            WebhookDispatcher webhooks = new WebhookDispatcher(
                            database,
                            new WebhookStore(database, clock),
                            clock,
                            config.webhooks(),
                            new DisabledNotice(
                                    database,
                                    new AlertStore(database, clock),
                                    config.mail().mailer(clock),
                                    config.console().publicUrl()))
                    .start();
            return new Hub(
                    config,
                    database,
                    server,
                    stores,
                    mqtt,
                    ingest,
                    sync,
                    alerts,
                    releases,
                    billing,
                    retention,
                    siteNames,
                    parcelNotices,
                    announcementMails,
                    hostNotices,
                    weeklyReports,
                    webhooks,
                    connectors.start());
        } catch (RuntimeException e) {
            if (connectors != null) {
                connectors.close();
            }
            if (publisher != null) {
                publisher.close();
            }
            if (ingest != null) {
                ingest.close();
            }
            if (mqtt != null) {
                mqtt.close();
            }
            database.close();
            throw e;
        }
    }

    /** The mails that tell hosts of their visitors (tests send the due ones at once). */
    public HostNotices hostNotices() {
        return hostNotices;
    }

    /** The sweep that moves members' names as plans start or end with time (tests run it at a chosen instant). */
    public dev.gatehouse.hub.members.SiteNameSweep siteNames() {
        return siteNames;
    }

    /** Every route of the hub; tests and the main entry point use the same routing. */
    public static void routing(
            HttpRouting.Builder routing,
            Stores stores,
            HubConfig config,
            MqttRuntime mqtt,
            IngestSignal signal,
            Sync sync,
            Connectors connectors) {
        int maxBody = config.maxBodyBytes();
        Audit audit = new Audit(new AuditStore(stores.database(), stores.clock()));
        Problems.register(routing, maxBody);
        WebhookActions webhookActions =
                new WebhookActions(new WebhookStore(stores.database(), stores.clock()), audit, config.webhooks());
        ConnectorActions connectorActions =
                new ConnectorActions(connectors, audit, config.console().publicUrl());
        CommandService commands = new CommandService(sync.commands(), stores.sites(), audit, maxBody);
        EnrollmentService enrollment = new EnrollmentService(
                stores.devices(),
                new DeviceEnrollments(stores.database(), stores.clock()),
                stores.doors(),
                audit,
                mqtt::publicUrl,
                mqtt.deviceAccounts(),
                config.console().publicUrl(),
                maxBody);
        Console.Parts console = new Console.Parts(
                stores.database(),
                stores.clock(),
                stores.tenants(),
                stores.accessLog(),
                signal,
                new TenantHost(config.baseDomain()),
                config.console(),
                config.mail().mailer(stores.clock()),
                audit,
                commands,
                enrollment);
        routing.addFilter(config.console().trustedProxies());
        routing.addFilter(new StrictUris());
        Console.filter(routing, console);
        routing.addFilter(new AuthFilter(stores.database(), config.baseDomain()))
                .register("/health", new HealthService(stores.database()))
                .register("/openapi", new OpenApiService())
                .register("/api/v1", new TenantService(stores.tenants(), audit, maxBody))
                .register(
                        "/api/v1",
                        new SiteService(stores.sites(), stores.changes(), audit, maxBody),
                        new DoorService(stores.sites(), stores.doors(), audit, maxBody),
                        new DoorGroupService(stores.sites(), stores.doorGroups(), audit, maxBody))
                .register(
                        "/api/v1",
                        new DeviceService(
                                stores.sites(), stores.devices(), audit, maxBody, mqtt.deviceAccounts()::retired),
                        new ProvisioningService(
                                stores.devices(),
                                stores.doors(),
                                audit,
                                mqtt::publicUrl,
                                mqtt.deviceAccounts(),
                                maxBody),
                        console.enrollment())
                .register(
                        "/api/v1",
                        new CredentialService(
                                stores.credentials(), stores.visitorPasses(), audit, stores.clock(), maxBody),
                        new MemberService(stores.members(), audit, maxBody),
                        new PlanService(stores.plans(), audit, maxBody),
                        new PlanAssignmentService(
                                new PlanAssignmentStore(stores.database(), stores.clock()), audit, maxBody),
                        new ExternalAccessService(
                                new ExternalAccessStore(stores.database(), stores.clock()), audit, maxBody),
                        new PrivacyService(new PersonalData(stores.database(), stores.clock()), audit, maxBody),
                        new VisitorPrivacyService(stores.visitorPasses(), audit, maxBody),
                        new VisitorLogService(stores.sites(), new KioskSignIns(stores.database(), stores.clock())),
                        new ExplainService(stores.database(), stores.clock()))
                .register(
                        "/api/v1",
                        new ResourceService(
                                stores.sites(), new ResourceStore(stores.database(), stores.clock()), audit, maxBody),
                        new RoomControllerService(
                                new ResourceStore(stores.database(), stores.clock()),
                                new RoomControllerStore(stores.database(), stores.clock()),
                                audit,
                                maxBody),
                        new BookingService(
                                stores.sites(),
                                new ResourceStore(stores.database(), stores.clock()),
                                new BookingStore(stores.database(), stores.clock()),
                                new BookingApprovals(
                                        stores.database(),
                                        stores.clock(),
                                        new DecisionMails(
                                                stores.database(),
                                                console.mailer(),
                                                config.console().publicUrl())),
                                audit,
                                stores.clock(),
                                maxBody),
                        new BookingMoveService(
                                new BookingStore(stores.database(), stores.clock()),
                                new BookingMoves(stores.database(), stores.clock()),
                                audit,
                                maxBody),
                        new SeriesService(
                                new ResourceStore(stores.database(), stores.clock()),
                                new SeriesStore(stores.database(), stores.clock()),
                                audit,
                                maxBody),
                        new CalendarFeedService(
                                new ResourceStore(stores.database(), stores.clock()),
                                new CalendarFeedStore(stores.database(), stores.clock()),
                                audit,
                                config.console().publicUrl()))
                .register(
                        "/api/v1",
                        new CreditService(new CreditStore(stores.database(), stores.clock()), audit, maxBody),
                        new PackageService(new PackageStore(stores.database(), stores.clock()), audit, maxBody),
                        new SubscriptionService(
                                new SubscriptionStore(stores.database(), stores.clock()),
                                audit,
                                stores.clock(),
                                maxBody),
                        new ChargeService(new ChargeStore(stores.database(), stores.clock()), audit, maxBody),
                        new PassService(new PassStore(stores.database(), stores.clock()), audit, maxBody),
                        new InvoiceService(
                                new InvoiceStore(stores.database(), stores.clock()),
                                billing(stores.database(), stores.clock()),
                                audit,
                                maxBody),
                        payments(stores, config, audit),
                        new DunningService(stores.database(), audit, stores.clock(), maxBody))
                // Stripe's webhooks, at the root: Stripe signs them instead of sending a token.
                .register(new StripeWebhookService(
                        new StripeStore(stores.database(), stores.clock(), console.mailer()), stores.clock(), maxBody))
                // The calendar feeds, at the root: calendar clients fetch them with no token.
                .register(new IcalService(new CalendarFeedStore(stores.database(), stores.clock()), stores.clock()))
                .register("/api/v1", new AccessLogService(stores.accessLog()))
                .register("/api/v1", new RoomStateService(stores.sites(), new RoomStateStore(stores.database())))
                .register(
                        "/api/v1",
                        new AccessStreamService(stores.accessLog(), signal, stores.clock()),
                        new SyncStatusService(stores.database()))
                .register("/api/v1", commands)
                .register(
                        "/api/v1",
                        new ParcelService(
                                new Parcels(
                                        new ParcelStore(stores.database(), stores.clock()),
                                        parcelNotices(stores, config),
                                        audit),
                                maxBody))
                .register("/api/v1", new AuditService(audit.store()))
                .register("/api/v1", new AnalyticsService(analytics(stores, config), audit, console.mailer(), maxBody))
                .register(
                        "/api/v1", new AlertService(new AlertStore(stores.database(), stores.clock()), audit, maxBody))
                .register("/api/v1", new WebhookService(webhookActions, maxBody))
                .register("/api/v1", new ConnectorService(connectorActions, maxBody))
                .register(new ConnectorService(connectorActions, maxBody).callback())
                .register(
                        "/api/v1",
                        new AccountService(
                                new AccountStore(stores.database(), stores.clock()),
                                Sessions.operators(stores.database(), stores.clock()),
                                new Invitations(
                                        new OneTimeLinks(stores.database(), stores.clock()),
                                        console.mailer(),
                                        console.settings().publicUrl()),
                                stores.tenants(),
                                stores.sites(),
                                audit,
                                maxBody));
        Console.routes(routing, console);
        Parcels parcels =
                new Parcels(new ParcelStore(stores.database(), stores.clock()), parcelNotices(stores, config), audit);
        routing.register(new ParcelPages(stores.database(), parcels, maxBody));
        routing.register(new VisitorLogPages(stores.database(), new KioskSignIns(stores.database(), stores.clock())));
        Announcements announcements =
                new Announcements(new AnnouncementStore(stores.database(), stores.clock()), audit, stores.clock());
        routing.register(new AnnouncementPages(stores.database(), announcements))
                .register("/api/v1", new AnnouncementService(announcements, maxBody));
        AgreementService agreementService =
                new AgreementService(new AgreementStore(stores.database(), stores.clock()), audit, maxBody);
        WifiVoucherService wifiService = new WifiVoucherService(
                new WifiVoucherStore(stores.database(), stores.clock()), audit, WIFI_UPLOAD_BYTES, maxBody);
        routing.register(new AgreementPages(stores.database(), agreementService, wifiService, audit))
                .register("/api/v1", agreementService, wifiService);
        routing.register(new WebhookPages(webhookActions));
        kioskRoutes(routing, stores, config, console, signal, audit);
        routing.register(new ConnectorPages(connectorActions));
        Portal.routes(
                routing,
                console,
                sync.commands(),
                stores.credentials(),
                new StripePayments(
                        new PaymentStore(stores.database(), stores.clock()),
                        new StripeStore(stores.database(), stores.clock()),
                        config.stripeApiBase()),
                parcels);
        Console.fallback(routing);
    }

    /**
     * The kiosk the hub serves for sites without an edge ({@code /kiosk/}) and its console page; a
     * sign-in it stores wakes the host notices at once, as ingest does for an edge's.
     */
    private static void kioskRoutes(
            HttpRouting.Builder routing,
            Stores stores,
            HubConfig config,
            Console.Parts console,
            IngestSignal signal,
            Audit audit) {
        HubKiosks kiosks = new HubKiosks(stores.database(), stores.clock());
        StripePayments stripe = new StripePayments(
                new PaymentStore(stores.database(), stores.clock()),
                new StripeStore(stores.database(), stores.clock()),
                config.stripeApiBase());
        Invitations links = new Invitations(
                new OneTimeLinks(stores.database(), stores.clock()),
                console.mailer(),
                console.settings().publicUrl());
        routing.register(
                new HubKioskPages(
                        kiosks,
                        new KioskDesk(stores.database(), stores.clock(), signal::fire),
                        stores.tenants(),
                        console.host(),
                        new PublicPurchases(stores.database(), stores.clock()),
                        stripe::enabled,
                        links::base,
                        console.settings().secureCookies()),
                new KioskPages(stores.database(), kiosks, audit));
    }

    /** The connectors the hub offers (QuickBooks Online, Slack, HubSpot), not started. */
    private static Connectors connectors(Database database, Clock clock, HubConfig config) {
        InvoiceStore invoices = new InvoiceStore(database, clock);
        return new Connectors(
                database,
                clock,
                config.connectors(),
                List.of(
                        new QuickBooksConnector(
                                tenantId -> invoices.tax(tenantId).rateBasisPoints()),
                        new SlackConnector(),
                        new HubSpotConnector()));
    }

    /** The analytics service layer, shared by the API and the console. */
    static Analytics analytics(Stores stores, HubConfig config) {
        return Analytics.of(stores.database(), stores.clock(), config.console().dwell());
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

    /** The webhook delivery worker ({@code webhooks().wake()} asks for a pass now, after a test moved the clock). */
    public WebhookDispatcher webhooks() {
        return webhooks;
    }

    /** The connectors' worker ({@code connectors().wake()} asks for a pass now, after a test moved the clock). */
    public Connectors connectors() {
        return connectors;
    }

    /** The fleet alerts' evaluator ({@code alerts().pass()} evaluates now). */
    public AlertMonitor alerts() {
        return alerts;
    }

    /** Sync and commands; {@code sync().publisher().awaitPublished(siteId, seq, timeout)} waits for a publish. */
    public Sync sync() {
        return sync;
    }

    /** The hub's MQTT link (a link that drops everything when {@code hub.mqtt.enabled} is false). */
    public MqttLink mqttLink() {
        return mqtt.link();
    }

    /** The MQTT side: broker, link, device lookups, the URL edges are given. */
    public MqttRuntime mqtt() {
        return mqtt;
    }

    /** The embedded broker, when the hub runs one. */
    public Optional<EmbeddedBroker> broker() {
        return mqtt.broker();
    }

    /** The announcement mails ({@code announcementMails().pass()} sends what is due now). */
    public AnnouncementMails announcementMails() {
        return announcementMails;
    }

    /** The weekly site reports ({@code weeklyReports().pass()} mails what is due now). */
    public dev.gatehouse.hub.analytics.WeeklyReportMails weeklyReports() {
        return weeklyReports;
    }

    /** The embedded broker's port; fails when the hub runs none. */
    public int brokerPort() {
        return mqtt.broker()
                .map(EmbeddedBroker::port)
                .orElseThrow(() -> new IllegalStateException("this hub runs no embedded MQTT broker"));
    }

    @Override
    public void close() {
        try {
            connectors.close();
            webhooks.close();
            announcementMails.close();
            weeklyReports.close();
            parcelNotices.close();
            hostNotices.close();
            retention.close();
            siteNames.close();
            billing.close();
            releases.close();
            alerts.close();
            server.stop();
        } finally {
            try {
                // Stop publishing; the link then gives what it holds a few seconds to reach the broker,
                // and the publisher records what the broker accepted (the rest is published again at
                // the next start).
                sync.publisher().stopPublishing();
                try {
                    mqtt.close();
                } finally {
                    try {
                        sync.publisher().close();
                    } finally {
                        ingest.close();
                    }
                }
            } finally {
                database.close();
            }
        }
    }
}
