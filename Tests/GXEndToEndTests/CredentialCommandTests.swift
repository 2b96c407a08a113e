import Foundation
import GXTestSupport
import Testing

@Suite("gx credentials, and token files checked before the hub issues a credential")
struct CredentialCommandTests {
    static let code = "11110000000021020F"

    /// A new hub process with its admin token, and an agency key pair in the same folder.
    struct FreshHub {
        let hub: HubProcess
        let dir: URL
        var admin: [String] { ["--hub", hub.url, "--token-file", dir.appendingPathComponent("admin.token").path] }
        func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

        static func start(_ label: String) async throws -> FreshHub {
            let dir = try temporaryDirectory(label)
            let database = dir.appendingPathComponent("hub.sqlite").path
            let initialised = try await GXBinary.run(["hub", "init", "--db", database])
            guard initialised.status == 0 else { throw FixtureFailure(initialised.stderr) }
            _ = try await GXBinary.run(["keys", "generate", "--out", dir.path, "--name", "agency"])
            return FreshHub(hub: try await HubProcess(database: database, directory: dir), dir: dir)
        }

        func register(tokenOut: String) async throws -> ProcessResult {
            try await GXBinary.run(["agencies", "register", "--code", CredentialCommandTests.code, "--name", "市地税局", "--roles", "consumer",
                                    "--public-key", path("agency.pub"), "--token-out", tokenOut] + admin)
        }

        func registeredCodes() async throws -> String {
            try await GXBinary.run(["agencies", "list", "--json"] + admin).stdout
        }

        func works(_ token: String) async throws -> Bool {
            try await GXBinary.run(["agencies", "list", "--hub", hub.url, "--token-file", token]).status == 0
        }
    }

    struct FixtureFailure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    @Test("register, auditors add and import refuse an existing token file before asking the hub, and leave it as it was")
    func existingTokenFileRegistersNothing() async throws {
        let fresh = try await FreshHub.start("cred-exists")
        defer { fresh.hub.stop() }
        let taken = fresh.path("taken.token")
        try Data("someone else's token\n".utf8).write(to: URL(fileURLWithPath: taken))

        let register = try await fresh.register(tokenOut: taken)
        #expect(register.status != 0)
        #expect(register.stderr.contains("already exists") && register.stderr.contains("nothing was asked of the hub"), "\(register.stderr)")
        #expect(!register.stderr.contains("--force"))
        #expect(try await !fresh.registeredCodes().contains(Self.code))

        let auditor = try await GXBinary.run(["auditors", "add", "auditor-1", "--token-out", taken] + fresh.admin)
        #expect(auditor.status != 0 && auditor.stderr.contains("already exists"), "\(auditor.stderr)")

        let tokens = fresh.dir.appendingPathComponent("tokens")
        try FileManager.default.createDirectory(at: tokens, withIntermediateDirectories: true)
        try Data("old\n".utf8).write(to: tokens.appendingPathComponent("11110000000021039C.token"))
        let keys = fresh.dir.appendingPathComponent("keys")
        for agency in ["11110000000021012L", "11110000000021020F", "11110000000021039C"] {
            _ = try await GXBinary.run(["keys", "generate", "--out", keys.path, "--name", agency])
        }
        let list = fresh.dir.appendingPathComponent("agencies.toml")
        try Data("""
            [[agency]]
            code = "11110000000021012L"
            name = "市建委"
            roles = ["provider"]

            [[agency]]
            code = "11110000000021039C"
            name = "市质监局"
            roles = ["provider"]
            """.utf8).write(to: list)
        let imported = try await GXBinary.run(["agencies", "import", "--keys", keys.path, "--tokens", tokens.path, list.path] + fresh.admin)
        #expect(imported.status != 0 && imported.stderr.contains("11110000000021039C.token already exists"), "\(imported.stderr)")
        let registered = try await fresh.registeredCodes()
        #expect(!registered.contains("11110000000021012L") && !registered.contains("11110000000021039C"))
        #expect(!FileManager.default.fileExists(atPath: tokens.appendingPathComponent("11110000000021012L.token").path),
                "the token files made for the import are removed again")

        #expect(try String(contentsOfFile: taken, encoding: .utf8) == "someone else's token\n")
        // Nothing was issued, so the same commands with a free path succeed (no 409 locks anyone out).
        #expect(try await fresh.register(tokenOut: fresh.path("agency.token")).status == 0)
        #expect(try await fresh.works(fresh.path("agency.token")))
        #expect(try await GXBinary.run(["auditors", "add", "auditor-1", "--token-out", fresh.path("auditor.token")] + fresh.admin).status == 0)
    }

    @Test("gx credentials reissue replaces an agency's token and revoke stops it; a second auditors add names reissue")
    func reissueAndRevokeFromCLI() async throws {
        let fresh = try await FreshHub.start("cred-cli")
        defer { fresh.hub.stop() }
        let first = fresh.path("first.token"), second = fresh.path("second.token")
        #expect(try await fresh.register(tokenOut: first).status == 0)
        let again = try await fresh.register(tokenOut: fresh.path("again.token"))
        #expect(again.status != 0 && again.stderr.contains("gx credentials reissue --agency \(Self.code)"), "\(again.stderr)")

        let reissued = try await GXBinary.run(["credentials", "reissue", "--agency", Self.code, "--token-out", second, "--reason", "token lost"] + fresh.admin)
        #expect(reissued.status == 0, "\(reissued.stderr)")
        #expect(try await !fresh.works(first))
        #expect(try await fresh.works(second))

        let revoked = try await GXBinary.run(["credentials", "revoke", "--agency", Self.code, "--reason", "agency merged"] + fresh.admin)
        #expect(revoked.status == 0 && revoked.stdout.contains("1 credential(s) revoked"), "\(revoked.stdout)\(revoked.stderr)")
        #expect(try await !fresh.works(second))

        #expect(try await GXBinary.run(["auditors", "add", "auditor-1", "--token-out", fresh.path("auditor.token")] + fresh.admin).status == 0)
        let twice = try await GXBinary.run(["auditors", "add", "auditor-1", "--token-out", fresh.path("auditor2.token")] + fresh.admin)
        #expect(twice.status != 0 && twice.stderr.contains("gx credentials reissue --auditor auditor-1"), "\(twice.stderr)")
        #expect(!FileManager.default.fileExists(atPath: fresh.path("auditor2.token")))
        #expect(try await fresh.works(fresh.path("auditor.token")))

        let audit = try await GXBinary.run(["audit", "list", "--json", "--hub", fresh.hub.url, "--token-file", fresh.path("auditor.token")])
        #expect(audit.stdout.contains("credential.reissued") && audit.stdout.contains("credential.revoked") && audit.stdout.contains("agency merged"))
    }
}
