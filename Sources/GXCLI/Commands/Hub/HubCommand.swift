import ArgumentParser
import Foundation
import GXCrypto
import GXConsole
import GXHub
import GXStorage
import Hummingbird
import Logging

struct HubCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hub", abstract: "Set up and run the exchange hub.", subcommands: [Init.self, Serve.self, Backup.self])

    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a hub database, the hub's SM2 key and the first admin credential.",
            discussion: """
                Writes DIR/hub.key (mode 0600), DIR/hub.pub, DIR/admin.token (mode 0600) and DIR/data-keys/ \
                (0700: the SM4 data key that seals payload files at rest, see `gx data-key`), where DIR is \
                --key-dir (default: the database's directory). Give hub.pub to auditors: it is what an \
                exported audit log verifies against.
                """)

        @Option(help: "SQLite database file to create, or a PostgreSQL URL (postgres://user@host/db, or `postgres` for the PG* variables).")
        var db: String

        @Option(help: "Directory for hub.key, hub.pub and admin.token (default: beside a SQLite database; required for PostgreSQL).")
        var keyDir: String?

        func run() async throws {
            let database = try HubDatabase(db)
            guard let directory = keyDir ?? database.sqliteDirectory else {
                throw ValidationError("--key-dir is required with a PostgreSQL database: where should hub.key and admin.token go?")
            }
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let keyPath = (directory as NSString).appendingPathComponent("hub.key")
            let key: SM2PrivateKey
            if FileManager.default.fileExists(atPath: keyPath) {
                key = try SM2PrivateKey(pem: try SecretFile.read(keyPath))
            } else {
                key = try SM2PrivateKey.generate()
                try SecretFile.write(key.pkcs8PEM, to: keyPath)
            }
            try key.publicKey.pem.write(toFile: (directory as NSString).appendingPathComponent("hub.pub"), atomically: true, encoding: .utf8)
            let dataKeys = (directory as NSString).appendingPathComponent("data-keys")
            if !DataKeyring.exists(in: dataKeys) { try DataKeyring.addKey(in: dataKeys) }
            let tokenPath = (directory as NSString).appendingPathComponent("admin.token")
            let initialised = try await database.withStore { store -> Bool in
                if try await store.metadata("hub_public_key") != nil { return false }
                // admin.token is created before the admin credential exists: none is issued that no file holds.
                let output = try SecretFile.reserve(tokenPath)
                defer { output.abandon() }
                guard let token = try await Hub.initialize(store: store, key: key) else { return false }
                try output.fill(token + "\n", recovery: "the database holds an admin credential no file has: start again with a new database")
                return true
            }
            guard initialised else {
                Console.note("\(database) is already initialised; nothing changed")
                return
            }
            print("hub database: \(database)")
            print("hub key:      \(keyPath) (public: \(directory)/hub.pub)")
            print("admin token:  \(tokenPath)")
            print("data keys:    \(dataKeys) (SM4, seal payloads at rest)")
        }
    }

    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve the hub's HTTP(S) JSON API and its web console (/console/) until SIGTERM or SIGINT (then shut down gracefully).",
            discussion: """
                Settings come from, in rising precedence: defaults, the --config file (TOML: db, key, batches, payloads, \
                listen, log_level, batch_retention_days, recent_payloads_mb, header_timeout_seconds, idle_timeout_seconds, max_connections, trusted_proxies, objection_answer_days, calendar, \
                [tls] certificate, key, client_ca, and [demands] review_working_days, reply_working_days), the \
                environment (GX_HUB_DB, GX_HUB_KEY, GX_HUB_BATCHES, GX_HUB_PAYLOADS, GX_HUB_LISTEN, \
                GX_HUB_LOG_LEVEL, GX_HUB_BATCH_RETENTION_DAYS, GX_HUB_RECENT_PAYLOADS_MB, GX_HUB_HEADER_TIMEOUT_SECONDS, \
                GX_HUB_IDLE_TIMEOUT_SECONDS, GX_HUB_MAX_CONNECTIONS, GX_HUB_TRUSTED_PROXIES, GX_HUB_OBJECTION_ANSWER_DAYS, GX_HUB_CALENDAR (files separated by ':'), GX_HUB_TLS_CERTIFICATE, \
                GX_HUB_TLS_KEY, GX_HUB_TLS_CLIENT_CA, GX_HUB_DEMANDS_REVIEW_WORKING_DAYS, \
                GX_HUB_DEMANDS_REPLY_WORKING_DAYS), then these flags. --print-config shows the result and where each \
                value came from.

                Demand time limits count working days (default: the authority reviews in 2, the provider replies \
                in 10) on the working-day calendar: 2026 is built in; `calendar` files add or replace years. A \
                year the calendar does not cover counts weekends only; the hub warns at start-up and on the \
                authority's console pages.

                A client must send a request's headers within header_timeout_seconds (default 30) of connecting \
                or of its previous answer, and may stay silent while sending a body for idle_timeout_seconds \
                (default 60); otherwise the connection is closed. Long polls are not cut short. At most \
                max_connections (default 2048) connections are open at once; one more is answered 503 and closed.

                Behind a load balancer (Deploy/nginx), list its addresses in trusted_proxies (',' between them \
                in --trusted-proxies and the environment; an array in the file): from those peers the last \
                X-Forwarded-For address is taken as the client's, for slowing failed console sign-ins and for the \
                audit log. From any other peer the header is ignored.

                With a TLS certificate and key the hub speaks HTTPS (TLS 1.3, or 1.2 with ECDHE and AEAD \
                suites only); they are read at start-up and again on SIGHUP (`systemctl reload gongxiang-hub`): \
                renewed files take effect for new connections without a restart. With a client CA too, it asks \
                clients for certificates (mutual TLS): every authenticated request needs one from that CA \
                whose one subject CN names the credential's principal, kind and name: agency:<code>, \
                admin:<name> or auditor:<name>. /healthz, /readyz and /openapi.yaml stay open; /metrics needs \
                an admin or auditor credential.
                """)

        @Option(help: "A TOML config file (see the discussion below).")
        var config: String?

        @Flag(help: "Print the effective settings (passwords masked) with where each came from, and exit.")
        var printConfig = false

        @Option(help: "The database made by `gx hub init`: a SQLite file, or a PostgreSQL URL (or `postgres` for the PG* variables).")
        var db: String?

        @Option(help: "The hub's SM2 private key (default: hub.key beside a SQLite database; required for PostgreSQL).")
        var key: String?

        @Option(help: ArgumentHelp("Directory for batch payloads kept as files (default: batches/ beside a SQLite database).",
                                   discussion: "Hub processes sharing one PostgreSQL database with --payloads files must share this directory too (e.g. over NFS)."))
        var batches: String?

        @Option(help: ArgumentHelp("Where payloads are kept: files (in --batches) or postgres (in the hub's PostgreSQL database).",
                                   discussion: "Default: files for SQLite; for PostgreSQL, postgres unless --batches is given. With postgres, hub processes on one database share no disk, and pg_dump is the whole hub."))
        var payloads: String?

        @Option(help: ArgumentHelp("Directory of the SM4 data keys that seal payload files at rest (default: data-keys/ beside the hub's key).",
                                   discussion: "Created with a first key when missing. Hub processes on one database (or sharing a batch directory) must share this directory too: copy it to each. After `gx data-key rotate`, restart them."))
        var dataKeys: String?

        @Option(help: "Address to listen on, HOST:PORT (default 127.0.0.1:8480).")
        var listen: String?

        @Option(help: "Log level: trace, debug, info, notice, warning, error, critical (default info).")
        var logLevel: String?

        @Option(help: "Days to keep a batch's payload after every entitled consumer acknowledged it (0: prune at once; default 7).")
        var batchRetentionDays: Double?

        @Option(name: .customLong("recent-payloads-mb"),
                help: ArgumentHelp("MiB of just-written deliveries, verification requests and answers kept in memory for 10 minutes (default 48; 0: none).",
                                   discussion: "An agent pulling one soon after it was written is served from memory, without opening its seal again; the sealed copy in the store stays the lasting one."))
        var recentPayloadsMB: Int?

        @Option(help: "Load balancers' IP addresses, separated by ',': their X-Forwarded-For names the client (see below).")
        var trustedProxies: String?

        @Option(help: "Working days a provider has to answer an objection (数据异议) before it goes to the authority (default 5).")
        var objectionAnswerDays: Int?

        @Option(help: "The hub's TLS certificate chain (PEM); with --tls-key, the hub speaks HTTPS.")
        var tlsCertificate: String?

        @Option(help: "The TLS certificate's private key (PEM, unencrypted, mode 0600).")
        var tlsKey: String?

        @Option(help: "CA bundle (PEM) that issues the agencies' client certificates: turns on mutual TLS.")
        var tlsClientCa: String?

        @Option(parsing: .upToNextOption,
                help: ArgumentHelp("Holiday calendar files (TOML, one year each, as Calendar/china-2026.toml) for demand deadlines in working days.",
                                   discussion: "2026 is built in; each file adds a year or replaces one. A year not covered counts weekends only, and the hub warns at start-up."))
        var calendar: [String] = []

        @Option(help: "Working days the authority has to review a demand (default 2).")
        var demandReviewWorkingDays: Int?

        @Option(help: "Working days a provider has to reply to a forwarded demand (default 10).")
        var demandReplyWorkingDays: Int?

        func effectiveSettings() throws -> HubServeSettings {
            var settings = HubServeSettings()
            if let config { try settings.apply(configFile: config) }
            settings.apply(environment: ProcessInfo.processInfo.environment)
            let flags: [(String, String?)] = [
                ("db", db), ("key", key), ("batches", batches), ("payloads", payloads), ("data_keys", dataKeys), ("listen", listen), ("log_level", logLevel),
                ("batch_retention_days", batchRetentionDays.map { String($0) }),
                ("recent_payloads_mb", recentPayloadsMB.map { String($0) }),
                ("objection_answer_days", objectionAnswerDays.map { String($0) }),
                ("trusted_proxies", trustedProxies),
                ("tls.certificate", tlsCertificate), ("tls.key", tlsKey), ("tls.client_ca", tlsClientCa),
                ("calendar", calendar.isEmpty ? nil : calendar.joined(separator: ":")),
                ("demands.review_working_days", demandReviewWorkingDays.map { String($0) }),
                ("demands.reply_working_days", demandReplyWorkingDays.map { String($0) }),
            ]
            for (name, value) in flags { settings.set(name, value, origin: "flag") }
            return settings
        }

        func run() async throws {
            let settings = try effectiveSettings()
            if printConfig {
                print(settings.printed)
                return
            }
            guard let db = settings["db"] else {
                throw ValidationError("no database: pass --db, set GX_HUB_DB, or put db = \"...\" in the --config file")
            }
            guard let retentionDays = Double(settings["batch_retention_days"] ?? ""), retentionDays >= 0 else {
                throw ValidationError("batch_retention_days must be a number of days, not negative; got '\(settings["batch_retention_days"] ?? "")'")
            }
            guard let recentMB = Int(settings["recent_payloads_mb"] ?? ""), (0...4096).contains(recentMB) else {
                throw ValidationError("recent_payloads_mb must be a whole number of MiB from 0 to 4096, got '\(settings["recent_payloads_mb"] ?? "")'")
            }
            guard let objectionDays = Int(settings["objection_answer_days"] ?? ""), (1...60).contains(objectionDays) else {
                throw ValidationError("objection_answer_days must be a whole number of working days from 1 to 60; got '\(settings["objection_answer_days"] ?? "")'")
            }
            let listen = settings["listen"] ?? ""
            guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (0...65535).contains(port) else {
                throw ValidationError("listen must be HOST:PORT, got '\(listen)'")
            }
            let host = String(listen[..<colon])
            let logLevel = settings["log_level"] ?? ""
            guard let level = Logger.Level(rawValue: logLevel) else { throw ValidationError("unknown log level '\(logLevel)'") }
            let tls = try Self.tls(settings)
            let connections = try Self.connectionLimits(settings)
            let workingDays = try HubCalendarFiles.load(settings.calendarFiles)
            let demandLimits = try settings.demandTimeLimits()
            let trustedProxies = try settings.trustedProxies()
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
            let database = try HubDatabase(db)
            let place = try settings.payloadPlace(postgres: database.postgres != nil)
            if database.postgres == nil, !FileManager.default.fileExists(atPath: db) {
                throw CLIError("\(db) does not exist: create it with `gx hub init --db \(db)`")
            }
            guard let keyPath = settings["key"] ?? database.sqliteDirectory.map({ $0 + "/hub.key" }) else {
                throw ValidationError("--key is required with a PostgreSQL database (the hub.key written by `gx hub init --key-dir`)")
            }
            // With payloads in the database the directory is never used.
            guard let directory = settings["batches"] ?? database.sqliteDirectory.map({ $0 + "/batches" })
                    ?? (place == .postgres ? URL(fileURLWithPath: keyPath).deletingLastPathComponent().appendingPathComponent("batches").path : nil) else {
                throw ValidationError("--batches is required with a PostgreSQL database and --payloads files: a directory every hub process on it shares")
            }
            let hubKey = try SM2PrivateKey(pem: try SecretFile.read(keyPath))
            let dataKeyDirectory = settings["data_keys"] ?? URL(fileURLWithPath: keyPath).deletingLastPathComponent().appendingPathComponent("data-keys").path
            if !DataKeyring.exists(in: dataKeyDirectory) {
                try DataKeyring.addKey(in: dataKeyDirectory)
                Console.note("created data key directory \(dataKeyDirectory): payload files are sealed with SM4 under it from now on")
            }
            let dataKeys = try DataKeyring(directory: dataKeyDirectory)
            let limits = BatchLimits(retention: retentionDays * 86_400, recentPayloadBytes: recentMB << 20)
            try await database.serving(logger: Logger(label: "gongxiang.store")) { store in
                guard let registered = try await store.metadata("hub_public_key") else {
                    throw CLIError("\(database) is not initialised: run `gx hub init --db \(db)`")
                }
                guard registered == hubKey.publicKey.pem else {
                    throw CLIError("\(keyPath) is not the key this hub was initialised with")
                }
                // The console's pages on the same router, listener and TLS as the API.
                var payloads: (any PayloadStore)?
                if place == .postgres {
                    guard let postgres = store as? PostgresHubStore else { throw ValidationError("payloads = postgres needs a PostgreSQL database") }
                    payloads = PostgresPayloadStore(store: postgres)
                }
                var served = Hub(store: store, key: hubKey, batchDirectory: URL(fileURLWithPath: directory),
                                 limits: limits, tls: tls, calendar: workingDays, payloads: payloads)
                served.demandTimeLimits = demandLimits
                served.dataKeys = dataKeys
                served.objectionAnswerWorkingDays = objectionDays
                served.trustedProxies = trustedProxies
                let hub = try GXConsole.Console.mounted(on: served)
                hub.warnAboutCalendar()
                await hub.removeIncompleteUploads()
                try await hub.application(host: host, port: port, connections: connections).runService()
            }
        }

        /// The header-read and idle timeouts (positive seconds, at most an hour) and the connection limit.
        static func connectionLimits(_ settings: HubServeSettings) throws -> ConnectionLimits {
            func seconds(_ key: String) throws -> Duration {
                guard let text = settings[key], let value = Double(text), value.isFinite, value > 0, value <= 3600 else {
                    throw ValidationError("\(key) must be a number of seconds above 0 and at most 3600; got '\(settings[key] ?? "")'")
                }
                return .milliseconds(Int64((value * 1000).rounded()))
            }
            guard let text = settings["max_connections"], let maximum = Int(text), (1...1_000_000).contains(maximum) else {
                throw ValidationError("max_connections must be a whole number from 1 to 1000000; got '\(settings["max_connections"] ?? "")'")
            }
            return ConnectionLimits(headerReadTimeout: try seconds("header_timeout_seconds"), idleTimeout: try seconds("idle_timeout_seconds"),
                                    maximumConnections: maximum)
        }

        /// TLS needs both the certificate and its key; a client CA alone would be a mistake, not plain HTTP.
        static func tls(_ settings: HubServeSettings) throws -> HubTLS? {
            switch (settings["tls.certificate"], settings["tls.key"]) {
            case let (certificate?, key?):
                let tls = HubTLS(certificateFile: certificate, keyFile: key, clientCAFile: settings["tls.client_ca"])
                _ = try tls.serverConfiguration()
                return tls
            case (nil, nil):
                if settings["tls.client_ca"] != nil {
                    throw ValidationError("tls.client_ca (mutual TLS) needs tls.certificate and tls.key as well")
                }
                return nil
            default:
                throw ValidationError("TLS needs both tls.certificate and tls.key (--tls-certificate, --tls-key)")
            }
        }
    }
}
extension HubCommand {
    struct Backup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy a SQLite hub database while it serves: consistent, online, mode 0600.",
            discussion: """
                Uses SQLite's backup API from one read snapshot, so hub processes keep serving and the copy \
                is the database as of one instant. Copy the batch directory after it (e.g. rsync): payloads \
                are written before the database records them, so a later copy holds every batch the backup \
                knows. Check the copy with `gx audit verify --db COPY --pub hub.pub`.

                To restore: stop the hub, remove hub.sqlite-wal and hub.sqlite-shm, put the copy in place as \
                hub.sqlite and the batches beside it, start the hub. Agents resume from their own checkpoints.

                PostgreSQL: use pg_dump --format=custom of the hub's schema and pg_restore (see Deploy/README.md).
                """)

        @Option(help: "The hub's SQLite database.")
        var db: String

        @Option(help: "The copy to write; it must not exist yet.")
        var out: String

        func run() async throws {
            let database = try HubDatabase(db)
            guard database.postgres == nil else {
                throw ValidationError("\(database) is PostgreSQL: back it up with pg_dump --format=custom (see Deploy/README.md)")
            }
            guard FileManager.default.fileExists(atPath: db) else { throw ValidationError("\(db) does not exist") }
            let store = try SQLiteHubStore(path: db)
            var lastPercent = -1
            let entries = try store.backup(to: out) { copied, total in
                let percent = total > 0 ? copied * 100 / total : 100
                if percent / 10 != lastPercent / 10 { Console.note("backup: \(percent) % (\(copied) of \(total) pages)") }
                lastPercent = percent
            }
            print("backed up \(db) to \(out): \(entries) audit entries; check it with `gx audit verify --db \(out) --pub hub.pub`")
        }
    }
}

extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}
