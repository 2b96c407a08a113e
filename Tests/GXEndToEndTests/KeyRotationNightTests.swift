import Foundation
import GXTestSupport
import Testing

@Suite("An agency rotates its SM2 key between two nights")
struct KeyRotationNightTests {
    @Test("after a proven rotation the provider's next night is signed with the new key, and every batch re-verifies with the key of its time")
    func rotateThenNight() async throws {
        let copy = try await QuickstartCopy.make()
        let hub = try await HubProcess(database: copy.hubDatabase, directory: copy.state)
        defer { hub.stop() }
        let agencies = copy.state.appendingPathComponent("agencies")
        let provider = copy.pair.provider
        let connection = ["--hub", hub.url]
        let generated = try await GXBinary.run(["keys", "generate", "--out", agencies.path, "--name", "\(provider)-2027"])
        #expect(generated.status == 0, "\(generated.stderr)")
        let rotated = try await GXBinary.run(["agencies", "rotate-key", provider, "--public-key", agencies.appendingPathComponent("\(provider)-2027.pub").path,
                                        "--proof-key", agencies.appendingPathComponent("\(provider).key").path,
                                        "--token-file", agencies.appendingPathComponent("\(provider).token").path] + connection)
        #expect(rotated.status == 0, "\(rotated.stderr)")
        #expect(rotated.stdout.contains("1 retired key"), "\(rotated.stdout)")

        try copy.pointAgent(provider, at: hub)
        try copy.pointAgent(copy.pair.consumer, at: hub)
        try await copy.writeThirdNight()
        let stale = try await GXBinary.run(["agent", "run", "--config", copy.agentConfig(provider)])
        #expect(stale.status == 1, "a batch signed with the retired key must be refused: \(stale.stdout)\(stale.stderr.suffix(1500))")
        #expect(stale.stderr.contains("signature"), "\(stale.stderr.suffix(1500))")
        let pushed = try await GXBinary.run(["agent", "run", "--config", copy.agentConfig(provider)],
                                      environment: ["GX_AGENT_KEY_FILE": agencies.appendingPathComponent("\(provider)-2027.key").path])
        #expect(pushed.status == 0, "\(pushed.stderr.suffix(2000))")
        let pulled = try await copy.agentRun(copy.pair.consumer)
        #expect(pulled.status == 0, "\(pulled.stderr.suffix(2000))")
        #expect(try ExchangeTests.receivedLines(copy.pair, state: copy.state) == (try await ExchangeTests.expectedLines(copy.pair, state: copy.state)))

        let verified = try await GXBinary.run(["exchange", "verify", "--resource", copy.pair.resource,
                                         "--token-file", copy.state.appendingPathComponent("hub/auditor.token").path] + connection)
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
        #expect(verified.stdout.contains("(key retired") && verified.stdout.contains("(current key)"), "\(verified.stdout)")
        #expect(verified.stdout.contains("history; 0 failed"), "\(verified.stdout)")
    }
}
