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

        @Option(help: "SQLite database file to create.")
        var db: String

        @Option(help: "Directory for hub.key, hub.pub and admin.token (default: beside the database).")
        var keyDir: String?

        func run() async throws {
            let directory = keyDir ?? (db as NSString).deletingLastPathComponent.nonEmpty ?? "."
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let keyPath = (directory as NSString).appendingPathComponent("hub.key")
            let store = try SQLiteHubStore(path: db)
            let key: SM2PrivateKey
            if FileManager.default.fileExists(atPath: keyPath) {
                key = try SM2PrivateKey(pem: try SecretFile.read(keyPath))
            } else {
                key = try SM2PrivateKey.generate()
                try SecretFile.write(key.pkcs8PEM, to: keyPath)
            }
            try key.publicKey.pem.write(toFile: (directory as NSString).appendingPathComponent("hub.pub"), atomically: true, encoding: .utf8)
            guard let token = try await Hub.initialize(store: store, key: key) else {
                Console.note("\(db) is already initialised; nothing changed")
                return
            }
            let tokenPath = (directory as NSString).appendingPathComponent("admin.token")
            try SecretFile.write(token + "\n", to: tokenPath)
            print("hub database: \(db)")
            print("hub key:      \(keyPath) (public: \(directory)/hub.pub)")
            print("admin token:  \(tokenPath)")
        }
    }

    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve the hub's HTTP JSON API until SIGTERM or SIGINT (then shut down gracefully).")

        @Option(help: "SQLite database file made by `gx hub init`.")
        var db: String

        @Option(help: "The hub's SM2 private key (default: hub.key beside the database).")
        var key: String?

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
            guard FileManager.default.fileExists(atPath: db) else {
                throw CLIError("\(db) does not exist: create it with `gx hub init --db \(db)`")
            }
            let keyPath = key ?? ((db as NSString).deletingLastPathComponent.nonEmpty ?? ".") + "/hub.key"
            let hubKey = try SM2PrivateKey(pem: try SecretFile.read(keyPath))
            let store = try SQLiteHubStore(path: db)
            guard let registered = try await store.metadata("hub_public_key") else {
                throw CLIError("\(db) is not initialised: run `gx hub init --db \(db)`")
            }
            guard registered == hubKey.publicKey.pem else {
                throw CLIError("\(keyPath) is not the key this hub was initialised with")
            }
            let directory = ((db as NSString).deletingLastPathComponent.nonEmpty ?? ".") + "/batches"
            let hub = Hub(store: store, key: hubKey, batchDirectory: URL(fileURLWithPath: directory),
                          limits: BatchLimits(retention: batchRetentionDays * 86_400))
            hub.removeIncompleteUploads()
            try await hub.application(host: host, port: port).runService()
        }
    }
}

extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}
