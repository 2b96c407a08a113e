import Foundation
import GRDB
import GXCrypto
import GXTestSupport
import Testing

@Suite("gx revokes one token, and a compromised agency key, against a real hub")
struct RevocationCommandTests {
    @Test("gx credentials list shows ids, id names a token file's, revoke-token stops that token alone; no token is printed")
    func revokeOneToken() async throws {
        let fresh = try await CredentialCommandTests.FreshHub.start("token-revoke")
        defer { fresh.hub.stop() }
        let first = fresh.path("first.token")
        #expect(try await fresh.register(tokenOut: first).status == 0)
        // A second token of the same agency, straight into the hub's database (no gx command issues two).
        let second = "gx_" + String(repeating: "ab", count: 32)
        let database = try DatabaseQueue(path: fresh.dir.appendingPathComponent("hub.sqlite").path)
        try await database.write { db in
            try db.execute(sql: "INSERT INTO credentials (token_hash, principal_kind, principal_id, created_at) VALUES (?, 'agency', ?, ?)",
                           arguments: [SM3.digest(second).hex, CredentialCommandTests.code, "2026-12-01T00:00:00.000Z"])
        }
        try database.close()
        try Data((second + "\n").utf8).write(to: URL(fileURLWithPath: fresh.path("second.token")))
        let firstToken = try String(contentsOfFile: first, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)

        let id = try await GXBinary.run(["credentials", "id", "--token-file", first])
        #expect(id.status == 0 && id.stdout.trimmingCharacters(in: .whitespacesAndNewlines).count == 16, "\(id.stdout)\(id.stderr)")
        let leaked = id.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let listed = try await GXBinary.run(["credentials", "list", "--agency", CredentialCommandTests.code] + fresh.admin)
        #expect(listed.status == 0 && listed.stdout.contains(leaked) && listed.stdout.contains(String(SM3.digest(second).hex.prefix(16))), "\(listed.stdout)")
        let revoked = try await GXBinary.run(["credentials", "revoke-token", "--agency", CredentialCommandTests.code, "--id", leaked,
                                              "--reason", "copied to a shared drive"] + fresh.admin)
        #expect(revoked.status == 0, "\(revoked.stderr)")
        for output in [id, listed, revoked] { #expect(!(output.stdout + output.stderr).contains(firstToken)) }
        #expect(try await !fresh.works(first))
        #expect(try await fresh.works(fresh.path("second.token")))
    }

    @Test("gx agencies revoke-key dated before a batch's acceptance makes the consumer refuse that batch's delivery")
    func revokedProviderKeyRefusedByConsumer() async throws {
        let copy = try await QuickstartCopy.make()
        let hub = try await HubProcess(database: copy.hubDatabase, directory: copy.state)
        defer { hub.stop() }
        try copy.pointAgent(copy.pair.provider, at: hub)
        try copy.pointAgent(copy.pair.consumer, at: hub)
        try await copy.writeThirdNight()
        let compromised = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-1))
        let pushed = try await copy.agentRun(copy.pair.provider)
        #expect(pushed.status == 0, "\(pushed.stderr.suffix(2000))")
        let before = try ExchangeTests.receivedLines(copy.pair, state: copy.state)
        let revoked = try await GXBinary.run(["agencies", "revoke-key", copy.pair.provider,
                                              "--public-key", copy.state.appendingPathComponent("agencies/\(copy.pair.provider).pub").path,
                                              "--at", compromised, "--reason", "key found on a lost laptop", "--hub", hub.url,
                                              "--token-file", copy.state.appendingPathComponent("hub/admin.token").path])
        #expect(revoked.status == 0, "\(revoked.stderr)")
        #expect(revoked.stdout.contains("it was the agency's current key"), "\(revoked.stdout)")
        let pulled = try await copy.agentRun(copy.pair.consumer)
        #expect(pulled.status == 1, "\(pulled.stdout)\(pulled.stderr.suffix(2000))")
        #expect(pulled.stderr.contains("signed with a revoked key") && pulled.stderr.contains("key found on a lost laptop"), "\(pulled.stderr.suffix(2000))")
        #expect(try ExchangeTests.receivedLines(copy.pair, state: copy.state) == before)
    }
}

