import Foundation
import GXTestSupport

/// The README's first command, run once for the suite against the built gx; several tests then
/// examine or reuse the state it leaves (hub database, keys, tokens, exported audit log).
enum Quickstart {
    struct Run: Sendable {
        let state: URL
        let result: ProcessResult
        var hubDatabase: String { state.appendingPathComponent("hub/hub.sqlite").path }
        var hubPublicKey: String { state.appendingPathComponent("hub/hub.pub").path }
        var adminToken: String { state.appendingPathComponent("hub/admin.token").path }
        var auditorToken: String { state.appendingPathComponent("hub/auditor.token").path }
        var export: String { state.appendingPathComponent("audit.ndjson").path }
        func agencyFile(_ code: String, _ suffix: String) -> String { state.appendingPathComponent("agencies/\(code).\(suffix)").path }

        /// Copies the state to `destination` (which must not exist) for a test to change. SQLite's `-shm` and
        /// `-wal` files are left out: the quickstart's processes have ended, so they belong to a reader in
        /// another test (`gx audit verify`) and may vanish while the copy runs.
        func copyState(to destination: URL) throws {
            let files = FileManager.default
            try files.createDirectory(at: destination, withIntermediateDirectories: true)
            let root = state.resolvingSymlinksInPath().path
            guard let walk = files.enumerator(atPath: root) else { return }
            while let relative = walk.nextObject() as? String {
                if relative.hasSuffix("-shm") || relative.hasSuffix("-wal") { continue }
                let from = root + "/" + relative, to = destination.appendingPathComponent(relative)
                var isDirectory: ObjCBool = false
                guard files.fileExists(atPath: from, isDirectory: &isDirectory) else { continue }
                if isDirectory.boolValue {
                    // With its mode: a data-key directory is 0700, and the hub refuses one others may read.
                    try files.createDirectory(at: to, withIntermediateDirectories: true)
                    if let mode = try files.attributesOfItem(atPath: from)[.posixPermissions] {
                        try files.setAttributes([.posixPermissions: mode], ofItemAtPath: to.path)
                    }
                } else {
                    try files.copyItem(atPath: from, toPath: to.path)
                }
            }
        }
    }

    static let shared = Task { () throws -> Run in
        let state = try temporaryDirectory("quickstart")
        let result = try await ProcessRunner.run("/bin/bash", ["scripts/quickstart.sh"],
                                           environment: ["GX_BIN": GXBinary.path, "GX_STATE": state.path],
                                           directory: SampleDocuments.root)
        return Run(state: state, result: result)
    }

    static func run() async throws -> Run { try await shared.value }
}

/// A `gx hub serve` process on a loopback port, stopped with SIGTERM.
final class HubProcess: @unchecked Sendable {
    let process: Process
    let port: Int
    let log: URL
    /// Set for a hub serving HTTPS: the CA that issued its certificate.
    let caFile: String?
    var url: String { "\(caFile == nil ? "http" : "https")://127.0.0.1:\(port)" }

    /// `arguments` are added to `gx hub serve` (a PostgreSQL hub needs `--key` and `--batches`; a TLS hub its
    /// certificate and key, and `caFile` for the probe).
    init(database: String, directory: URL, environment: [String: String] = [:], arguments: [String] = [], caFile: String? = nil) async throws {
        self.caFile = caFile
        // A port picked at random can be taken before the hub binds it (parallel tests): try another one.
        for attempt in 1...5 {
            // Below Linux's ephemeral range (32768–60999), where outgoing connections take their ports.
            let port = Int.random(in: 20000...32000)
            let log = directory.appendingPathComponent("hub-\(port).log")
            let process = try Self.launch(database: database, port: port, log: log, environment: environment, arguments: arguments)
            let scheme = caFile == nil ? "http" : "https"
            for _ in 0..<200 {
                // Another test's hub may already answer on this port while ours fails to bind it: only our own
                // log's "listening" line says the answer is ours (a CI run once sent a whole test to a foreign hub).
                if Self.logSaysListening(log, port: port),
                   try await ProcessRunner.run("/usr/bin/curl", ["-fsS"] + (caFile.map { ["--cacert", $0] } ?? []) + ["\(scheme)://127.0.0.1:\(port)/healthz"]).status == 0 {
                    (self.process, self.port, self.log) = (process, port, log)
                    return
                }
                guard process.isRunning else { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            if process.isRunning { process.terminate() }
            try await blockingWork { process.waitUntilExit() }
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if attempt < 5, text.contains("Address already in use") { continue }
            throw HubProcessError(log: text)
        }
        preconditionFailure("unreachable: the last attempt returns or throws")
    }

    private static func logSaysListening(_ log: URL, port: Int) -> Bool {
        ((try? String(contentsOf: log, encoding: .utf8)) ?? "").contains("listening on 127.0.0.1:\(port)")
    }

    private static func launch(database: String, port: Int, log: URL, environment: [String: String], arguments: [String]) throws -> Process {
        let process = Process()
        FileManager.default.createFile(atPath: log.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: GXBinary.path)
        process.arguments = ["hub", "serve", "--db", database, "--listen", "127.0.0.1:\(port)"] + arguments
        process.standardError = try FileHandle(forWritingTo: log)
        process.standardOutput = FileHandle.nullDevice
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        try process.run()
        return process
    }

    /// Graceful stop; returns the exit status.
    func terminate() async throws -> Int32 {
        if process.isRunning { process.terminate() }
        let process = process
        try await blockingWork { process.waitUntilExit() }
        return process.terminationStatus
    }

    /// Sends SIGTERM without waiting: for a `defer` at a test's end, where nothing reads the exit status.
    func stop() {
        if process.isRunning { process.terminate() }
    }

    deinit { if process.isRunning { process.terminate() } }
}

struct HubProcessError: Error, CustomStringConvertible {
    let log: String
    var description: String { "hub did not come up:\n\(log)" }
}
