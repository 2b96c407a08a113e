import Foundation
import GXTestSupport
import Testing

@Suite("Backing up a SQLite hub while it serves, and restoring it")
struct BackupRestoreTests {
    @Test("a hub restored from an online backup verifies its audit chain, and agents resume from their checkpoints")
    func restoreAndResume() async throws {
        let copy = try await QuickstartCopy.make()
        let backup = try temporaryDirectory("backup")
        let live = copy.state.appendingPathComponent("hub")
        let serving = try await HubProcess(database: copy.hubDatabase, directory: copy.state)
        let taken = try await GXBinary.run(["hub", "backup", "--db", copy.hubDatabase, "--out", backup.appendingPathComponent("hub.sqlite").path])
        #expect(taken.status == 0, "\(taken.stderr)")
        #expect(taken.stdout.contains("audit entries"))
        try FileManager.default.copyItem(at: live.appendingPathComponent("batches"), to: backup.appendingPathComponent("batches"))
        #expect(try await serving.terminate() == 0)
        let mode = try FileManager.default.attributesOfItem(atPath: backup.appendingPathComponent("hub.sqlite").path)[.posixPermissions] as? Int
        #expect(mode == 0o600)

        // The disk is lost: database, WAL and payloads. The backup goes back in their place.
        for name in ["hub.sqlite", "hub.sqlite-wal", "hub.sqlite-shm", "batches"] {
            try? FileManager.default.removeItem(at: live.appendingPathComponent(name))
        }
        try FileManager.default.copyItem(at: backup.appendingPathComponent("hub.sqlite"), to: live.appendingPathComponent("hub.sqlite"))
        try FileManager.default.copyItem(at: backup.appendingPathComponent("batches"), to: live.appendingPathComponent("batches"))
        let verified = try await GXBinary.run(["audit", "verify", "--db", copy.hubDatabase, "--pub", live.appendingPathComponent("hub.pub").path])
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
        #expect(verified.stdout.contains("audit chain intact"))

        let restored = try await HubProcess(database: copy.hubDatabase, directory: copy.state)
        defer { restored.stop() }
        try copy.pointAgent(copy.pair.provider, at: restored)
        try copy.pointAgent(copy.pair.consumer, at: restored)
        try await copy.runThirdNight()
    }

    @Test("a backup never overwrites an existing file")
    func backupRefusesToOverwrite() async throws {
        let copy = try await QuickstartCopy.make()
        let target = try temporaryDirectory("backup").appendingPathComponent("hub.sqlite")
        try Data("keep me".utf8).write(to: target)
        let result = try await GXBinary.run(["hub", "backup", "--db", copy.hubDatabase, "--out", target.path])
        #expect(result.status != 0)
        #expect(result.stderr.contains("never overwrites"), "\(result.stderr)")
        #expect(try String(contentsOf: target, encoding: .utf8) == "keep me")
    }
}
