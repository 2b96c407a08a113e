import Foundation
import GXTestSupport
import Testing

/// A provider recognises the rows of its export that did not change since its last accepted pass by their
/// bytes, and maps only the others (`SourceRowMemory`); what it sends must be exactly what mapping every
/// row would send.
@Suite("Nights that map only the rows whose bytes changed")
struct RowMemoryNightTests {
    @Test("a night whose export did not change recognises every valid row, maps none of them and sends nothing")
    func unchangedExport() async throws {
        let world = try await CrashRecoveryTests.world()
        defer { world.hub.stop() }
        let first = try await world.agent(world.providerConfig)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(!first.stderr.contains("recognised unchanged"), "the export changed entirely; nothing could be recognised")
        let sent = try await CrashRecoveryTests.recordsSent(world)
        let again = try await world.agent(world.providerConfig)
        #expect(again.status == 0, "\(again.stderr)")
        // 3 000 rows, one in 250 invalid: the 12 quarantined are mapped again (and quarantined again).
        #expect(again.stderr.contains("2988 rows recognised unchanged"), "\(again.stderr)")
        #expect(again.stderr.contains("0 inserted, 0 updated, 2988 unchanged, 0 deleted"), "\(again.stderr)")
        #expect(try await CrashRecoveryTests.recordsSent(world) == sent)
    }

    @Test("a changed mapping maps every row again and sends the rows it changes, though no source byte changed")
    func changedMapping() async throws {
        let world = try await CrashRecoveryTests.world()
        defer { world.hub.stop() }
        await #expect(try world.agent(world.providerConfig).status == 0)
        let sent = try await CrashRecoveryTests.recordsSent(world)
        // The sex codes swapped: every valid row's canonical line changes, none of its source bytes.
        let config = try String(contentsOfFile: world.providerConfig, encoding: .utf8)
        let swapped = config.replacingOccurrences(of: #"codes = { "男" = "1", "女" = "2" }"#, with: #"codes = { "男" = "2", "女" = "1" }"#)
        try #require(swapped != config, "the provider's mapping has no sex codes to swap")
        try swapped.write(toFile: world.providerConfig, atomically: true, encoding: .utf8)
        let again = try await world.agent(world.providerConfig)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(!again.stderr.contains("recognised unchanged"), "\(again.stderr)")
        #expect(again.stderr.contains("0 inserted, 2988 updated, 0 unchanged, 0 deleted"), "\(again.stderr)")
        #expect(try await CrashRecoveryTests.recordsSent(world) - sent == 2988)
        await #expect(try world.agent(world.consumerConfig).status == 0)
        try await CrashRecoveryTests().expectConsumerEqualsProvider(world)
    }

    @Test("rows changed, inserted and deleted in an export otherwise unchanged are sent, and only they")
    func partlyChangedExport() async throws {
        let world = try await CrashRecoveryTests.world()
        defer { world.hub.stop() }
        await #expect(try world.agent(world.providerConfig).status == 0)
        let sent = try await CrashRecoveryTests.recordsSent(world)
        try await changeFourRows(world)
        let again = try await world.agent(world.providerConfig)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stderr.contains("rows recognised unchanged"), "\(again.stderr)")
        #expect(again.stderr.contains("1 inserted, 1 updated, 2986 unchanged, 1 deleted"), "\(again.stderr)")
        #expect(try await CrashRecoveryTests.recordsSent(world) - sent == 3)
        await #expect(try world.agent(world.consumerConfig).status == 0)
        try await CrashRecoveryTests().expectConsumerEqualsProvider(world)
    }

    @Test("the night after a changed night recognises every valid row again: recalled rows are remembered as they were")
    func nightAfterChangedNight() async throws {
        let world = try await CrashRecoveryTests.world()
        defer { world.hub.stop() }
        await #expect(try world.agent(world.providerConfig).status == 0)
        try await changeFourRows(world)
        await #expect(try world.agent(world.providerConfig).status == 0)
        let sent = try await CrashRecoveryTests.recordsSent(world)
        let third = try await world.agent(world.providerConfig)
        #expect(third.status == 0, "\(third.stderr)")
        #expect(third.stderr.contains("2988 rows recognised unchanged"), "\(third.stderr)")
        #expect(third.stderr.contains("0 inserted, 0 updated, 2988 unchanged, 0 deleted"), "\(third.stderr)")
        #expect(try await CrashRecoveryTests.recordsSent(world) == sent)
    }

    /// In the provider's export: row 10 changes its name, row 20 goes, row 30 moves to the end, and a person
    /// from another export comes in at row 40.
    private func changeFourRows(_ world: CrashRecoveryTests.World) async throws {
        let export = world.state.appendingPathComponent("agents/\(CrashRecoveryTests.provider)/data/RK-001.csv").path
        var rows = try String(contentsOfFile: export, encoding: .utf8).split(separator: "\n").map(String.init)
        let other = world.state.appendingPathComponent("other.csv").path
        let sample = try await GXBinary.run(["sample", "--resource", "RK-001", "--rows", "1", "--seed", "99", "--out", other])
        try #require(sample.status == 0, "\(sample.stderr)")
        let newcomer = try #require(try String(contentsOfFile: other, encoding: .utf8).split(separator: "\n").last.map(String.init))
        var fields = rows[10].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        fields[1] += "改"
        rows[10] = fields.joined(separator: ",")
        let moved = rows.remove(at: 30)
        rows.remove(at: 20)
        rows.insert(newcomer, at: 40)
        rows.append(moved)
        try (rows.joined(separator: "\n") + "\n").write(toFile: export, atomically: true, encoding: .utf8)
    }
}
