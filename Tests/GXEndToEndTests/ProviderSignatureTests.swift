import Foundation
import GRDB
import GXCrypto
import GXTestSupport
import Testing

@Suite("A consumer's agent checks the provider's signature on every delivery, not only the hub's")
struct ProviderSignatureTests {
    @Test("a delivery whose provider manifest does not verify with the provider's registered keys is refused and nothing is applied")
    func refusedWhenTheProviderKeyDoesNotVerify() async throws {
        let copy = try await QuickstartCopy.make()
        let hub = try await HubProcess(database: copy.hubDatabase, directory: copy.state)
        defer { hub.stop() }
        try copy.pointAgent(copy.pair.provider, at: hub)
        try copy.pointAgent(copy.pair.consumer, at: hub)
        try await copy.writeThirdNight()
        let pushed = try await copy.agentRun(copy.pair.provider)
        #expect(pushed.status == 0, "\(pushed.stderr.suffix(2000))")
        let before = try ExchangeTests.receivedLines(copy.pair, state: copy.state)

        // The hub's store now holds another key for the provider (a tampered registry): the hub still signs the
        // delivery, but the provider's signature cannot be made to verify.
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        let database = try DatabaseQueue(path: copy.hubDatabase, configuration: configuration)
        let planted = try SM2PrivateKey.generate().publicKey.pem
        try await database.write { db in
            try db.execute(sql: "UPDATE agencies SET public_key_pem = ?, retired_keys = '[]' WHERE code = ?", arguments: [planted, copy.pair.provider])
        }
        try database.close()

        let pulled = try await copy.agentRun(copy.pair.consumer)
        #expect(pulled.status == 1, "\(pulled.stdout)\(pulled.stderr.suffix(2000))")
        #expect(pulled.stderr.contains("does not verify: the provider's signature on its manifest does not verify with \(copy.pair.provider)'s key"),
                "\(pulled.stderr.suffix(2000))")
        #expect(try ExchangeTests.receivedLines(copy.pair, state: copy.state) == before)
    }

    @Test("a batch pushed before its provider rotated its key is applied after the rotation: the retired key verifies it")
    func acceptedAfterRotation() async throws {
        let copy = try await QuickstartCopy.make()
        let hub = try await HubProcess(database: copy.hubDatabase, directory: copy.state)
        defer { hub.stop() }
        let agencies = copy.state.appendingPathComponent("agencies")
        let provider = copy.pair.provider
        try copy.pointAgent(provider, at: hub)
        try copy.pointAgent(copy.pair.consumer, at: hub)
        try await copy.writeThirdNight()
        let pushed = try await copy.agentRun(provider)
        #expect(pushed.status == 0, "\(pushed.stderr.suffix(2000))")

        let generated = try await GXBinary.run(["keys", "generate", "--out", agencies.path, "--name", "\(provider)-2027"])
        #expect(generated.status == 0, "\(generated.stderr)")
        let rotated = try await GXBinary.run(["agencies", "rotate-key", provider, "--public-key", agencies.appendingPathComponent("\(provider)-2027.pub").path,
                                              "--proof-key", agencies.appendingPathComponent("\(provider).key").path,
                                              "--token-file", agencies.appendingPathComponent("\(provider).token").path, "--hub", hub.url])
        #expect(rotated.status == 0, "\(rotated.stderr)")

        let pulled = try await copy.agentRun(copy.pair.consumer)
        #expect(pulled.status == 0, "\(pulled.stderr.suffix(2000))")
        #expect(try ExchangeTests.receivedLines(copy.pair, state: copy.state) == (try await ExchangeTests.expectedLines(copy.pair, state: copy.state)))
    }
}
