import Foundation
import GXCrypto
import GXDomain
import GXStorage
import Hummingbird
import HummingbirdCore
import ServiceLifecycle
import Logging

/// The exchange hub (共享交换平台): registry, catalogue, agreements and audit behind an HTTP JSON API.
///
/// It keeps no state of its own beyond the store, so several hubs may serve one database.
public struct Hub: Sendable {
    public let store: any HubStore
    public let key: SM2PrivateKey
    public let name: String
    public let logger: Logger
    /// Where batch payloads and their per-consumer projections are kept (beside the database).
    public let batchDirectory: URL
    /// Where payloads are kept: files in `batchDirectory` (the default), or the PostgreSQL database.
    public let payloads: any PayloadStore
    /// The same store, remembering the payloads about to be served (`BatchLimits.recentPayloadBytes`).
    public let recentPayloads: RecentPayloads
    public let limits: BatchLimits
    /// HTTPS when set, with mutual TLS when it names a client CA.
    public let tls: HubTLS?
    public let metrics: HubMetrics
    /// Wakes long polls when a batch is accepted.
    public let arrivals: BatchArrivals
    /// Bounds the delivery projections written at once, so memory does not grow with consumers × pushes.
    public let projectionBudget: ProjectionBudget
    /// Working days for the time limits of demands (weekends, public holidays, 调休).
    public let calendar: WorkingDayCalendar
    /// The demand workflow's review and reply limits in working days (hub.toml `[demands]`).
    public var demandTimeLimits = DemandTimeLimits.standard
    /// Pages served beside the API on the same listener (the console), which authenticate their own visitors.
    public var mounts: [HubMount] = []
    /// How long `/readyz` waits for the database: well inside a load balancer's or systemd's probe timeout.
    public var readinessTimeout: Duration = .seconds(2)
    /// The provider's time limit for answering an objection, in working days from raising (local practice: 5).
    public var objectionAnswerWorkingDays = 5
    /// The keys that seal payload files at rest (SM4-CTR + HMAC-SM3); nil keeps them plain (tests of other
    /// behaviour). `gx hub serve` always passes them, creating the keyring beside the database on first start.
    public var dataKeys: DataKeyring?
    /// Peers whose `X-Forwarded-For` names the client (the load balancers in front of several hubs; see
    /// `clientAddress(of:context:)`). Empty: every peer is the client itself.
    public var trustedProxies: Set<String> = []
    /// How many audit entries each caller's refused requests may cause.
    public let refusals = RefusalAuditing()

    public init(store: any HubStore, key: SM2PrivateKey, batchDirectory: URL, limits: BatchLimits = BatchLimits(), tls: HubTLS? = nil,
                metrics: HubMetrics = HubMetrics(), arrivals: BatchArrivals = BatchArrivals(), calendar: WorkingDayCalendar = .shipped(),
                name: String = "gongxiang-hub", payloads: (any PayloadStore)? = nil,
                logger: Logger = Logger(label: "gongxiang.hub")) {
        self.store = store
        recentPayloads = RecentPayloads(payloads ?? FilePayloadStore(directory: batchDirectory), budget: limits.recentPayloadBytes)
        self.payloads = recentPayloads
        self.calendar = calendar
        self.key = key
        self.batchDirectory = batchDirectory
        self.limits = limits
        self.projectionBudget = ProjectionBudget(capacity: limits.concurrentProjections)
        self.tls = tls
        self.metrics = metrics
        self.arrivals = arrivals
        self.name = name
        self.logger = logger
    }

    /// Prepares a new hub database: records the hub's public key and issues the first admin credential.
    /// Returns the admin token, or nil if the hub was already initialised.
    public static func initialize(store: any HubStore, key: SM2PrivateKey, adminName: String = "authority", at time: Date = Date()) async throws -> String? {
        if try await store.metadata("hub_public_key") != nil { return nil }
        let token = Credentials.newToken()
        try await store.commit([.addCredential(Credential(tokenHash: Credentials.hash(of: token), principal: .admin(name: adminName),
                                                          createdAt: Timestamp.string(from: time)))],
                               audit: [AuditDraft(actor: "hub", action: "hub.initialized", subject: adminName,
                                                  details: ["hub_public_key_sm3": .string(SM3.digest(key.publicKey.pem).hex)])],
                               at: time)
        try await store.setMetadata("hub_public_key", key.publicKey.pem)
        return token
    }

    public func router() -> Router<HubRequestContext> {
        let router = Router(context: HubRequestContext.self)
        router.add(middleware: RequestMetricsMiddleware(metrics: metrics))
        router.add(middleware: SecurityHeadersMiddleware(strictTransportSecurity: tls != nil))
        router.add(middleware: ErrorMiddleware())
        router.add(middleware: AuthenticationMiddleware(store: store, requireClientCertificates: tls?.requiresClientCertificates ?? false,
                                                        mountPrefixes: mounts.map(\.prefix)))
        addHealthRoutes(to: router)
        addOperationsRoutes(to: router)
        addAgencyRoutes(to: router)
        addCredentialRoutes(to: router)
        addCatalogueRoutes(to: router)
        addAgreementRoutes(to: router)
        addAuditRoutes(to: router)
        addBatchRoutes(to: router)
        addDeliveryRoutes(to: router)
        addDemandRoutes(to: router)
        addObjectionRoutes(to: router)
        addVerificationRoutes(to: router)
        addReportRoutes(to: router)
        for mount in mounts { mount.add(router) }
        return router
    }

    /// The HTTP(S) application, ready to run as a service (graceful shutdown on SIGTERM via ServiceLifecycle).
    /// With TLS, SIGHUP reloads the certificate, key and client CA from their files. `connections` bounds how
    /// long a slow client may hold a connection.
    public func application(host: String, port: Int, connections: ConnectionLimits = ConnectionLimits()) throws -> some ApplicationProtocol {
        var services: [any Service] = [HubMaintenance(hub: self), BatchArrivalListener(hub: self), AuditCheckpointing(hub: self)]
        let http = connections.channelConfiguration
        var server = HTTPServerBuilder.http1(configuration: http)
        if let tls {
            let contexts = try TLSContextHolder(tls)
            server = .reloadableTLS(contexts, configuration: http)
            services.append(TLSReloadService(contexts: contexts, logger: logger))
        }
        return Application(router: router(), server: server, configuration: .init(address: .hostname(host, port: port), serverName: name),
                           services: services, logger: logger)
    }

    /// Uploads cut off by a crash leave partial payloads behind; none of them was ever accepted. Removes those
    /// of hub processes on this host that no longer run, and anything else nobody has written to for `age`
    /// (another host's process that died, or files of an older layout).
    public func removeIncompleteUploads(olderThan age: TimeInterval = 3600) async {
        await payloads.removeAbandonedUploads(olderThan: age)
    }

    func now() -> Date { Date() }
}
