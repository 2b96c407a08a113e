import ArgumentParser
import Foundation
import GXCrypto
import GXHub
import GXStorage
import Hummingbird
import Logging

struct HubCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hub", abstract: "Set up and run the exchange hub.", subcommands: [Init.self, Serve.self])

    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a hub database, the hub's SM2 key and the first admin credential.",
            discussion: """
                Writes DIR/hub.key (mode 0600), DIR/hub.pub and DIR/admin.token (mode 0600), where DIR is
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
            guard let token = try await database.withStore({ store in try await Hub.initialize(store: store, key: key) }) else {
                Console.note("\(database) is already initialised; nothing changed")
                return
            }
            let tokenPath = (directory as NSString).appendingPathComponent("admin.token")
            try SecretFile.write(token + "\n", to: tokenPath)
            print("hub database: \(database)")
            print("hub key:      \(keyPath) (public: \(directory)/hub.pub)")
            print("admin token:  \(tokenPath)")
        }
    }

    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve the hub's HTTP JSON API until SIGTERM or SIGINT (then shut down gracefully).")

        @Option(help: "The database made by `gx hub init`: a SQLite file, or a PostgreSQL URL (or `postgres` for the PG* variables).")
        var db: String

        @Option(help: "The hub's SM2 private key (default: hub.key beside a SQLite database; required for PostgreSQL).")
        var key: String?

        @Option(help: ArgumentHelp("Directory for batch payloads (default: batches/ beside a SQLite database; required for PostgreSQL).",
                                   discussion: "Hub processes sharing one PostgreSQL database must share this directory too (e.g. over NFS)."))
        var batches: String?

        @Option(help: "Address to listen on, HOST:PORT.")
        var listen = "127.0.0.1:8480"

        @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
        var logLevel = "info"

        @Option(help: "Days to keep a batch's payload after every entitled consumer acknowledged it (0: prune at once).")
        var batchRetentionDays = 7.0

        func run() async throws {
            guard batchRetentionDays >= 0 else { throw ValidationError("--batch-retention-days must not be negative") }
            guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (0...65535).contains(port) else {
                throw ValidationError("--listen must be HOST:PORT, got '\(listen)'")
            }
            let host = String(listen[..<colon])
            guard let level = Logger.Level(rawValue: logLevel) else { throw ValidationError("unknown --log-level '\(logLevel)'") }
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
            let database = try HubDatabase(db)
            if database.postgres == nil, !FileManager.default.fileExists(atPath: db) {
                throw CLIError("\(db) does not exist: create it with `gx hub init --db \(db)`")
            }
            guard let keyPath = key ?? database.sqliteDirectory.map({ $0 + "/hub.key" }) else {
                throw ValidationError("--key is required with a PostgreSQL database (the hub.key written by `gx hub init --key-dir`)")
            }
            guard let directory = batches ?? database.sqliteDirectory.map({ $0 + "/batches" }) else {
                throw ValidationError("--batches is required with a PostgreSQL database: a directory every hub process on it shares")
            }
            let hubKey = try SM2PrivateKey(pem: try SecretFile.read(keyPath))
            let limits = BatchLimits(retention: batchRetentionDays * 86_400)
            try await database.serving(logger: Logger(label: "gongxiang.store")) { store in
                guard let registered = try await store.metadata("hub_public_key") else {
                    throw CLIError("\(database) is not initialised: run `gx hub init --db \(db)`")
                }
                guard registered == hubKey.publicKey.pem else {
                    throw CLIError("\(keyPath) is not the key this hub was initialised with")
                }
                let hub = Hub(store: store, key: hubKey, batchDirectory: URL(fileURLWithPath: directory), limits: limits)
                hub.removeIncompleteUploads()
                try await hub.application(host: host, port: port).runService()
            }
        }
    }
}
extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}
