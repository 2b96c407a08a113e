import Foundation
import GXPostgres
import GXTestSupport
import Testing

@Suite("Backing up a PostgreSQL hub the documented way")
struct PostgresBackupTests {
    @Test("a hub database dumped with pg_dump and restored into a new database verifies its chain and serves ready")
    func dumpAndRestore() async throws {
        let world = try await PostgresWorld.make()
        let hub = try await world.serve()
        try await world.setUp(through: hub, agreements: [PopulationBatch.agreement])
        #expect(try await hub.terminate() == 0)

        let dump = world.state.appendingPathComponent("hub.dump").path
        let dumped = try await ProcessRunner.run(try #require(ProcessRunner.which("pg_dump")), ["--format=custom", "--file", dump, world.hubURL])
        #expect(dumped.status == 0, "\(dumped.stderr)")
        let restored = try await TestPostgres.freshDatabase()
        let loaded = try await ProcessRunner.run(try #require(ProcessRunner.which("pg_restore")),
                                           ["--exit-on-error", "--no-owner", "--dbname", restored.description, dump])
        #expect(loaded.status == 0, "\(loaded.stderr)")

        let verified = try await GXBinary.run(["audit", "verify", "--db", restored.description, "--pub", world.state.appendingPathComponent("hub/hub.pub").path])
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
        #expect(verified.stdout.contains("audit chain intact"), "\(verified.stdout)")
        let original = try await TestPostgres.rows("SELECT count(*) FROM audit_entries", in: world.hubDatabase)
        #expect(try await TestPostgres.rows("SELECT count(*) FROM audit_entries", in: restored) == original)

        let served = try await HubProcess(database: restored.description, directory: world.state,
                                    arguments: ["--key", world.state.appendingPathComponent("hub/hub.key").path])
        defer { served.stop() }
        let ready = try await ProcessRunner.run("/usr/bin/curl", ["-fsS", "\(served.url)/readyz"])
        #expect(ready.status == 0 && ready.stdout.contains("ready"), "\(ready.stdout)\(ready.stderr)")
        let agreements = try await GXBinary.run(["agreement", "list", "--hub", served.url, "--token-file", world.adminToken])
        #expect(agreements.stdout.contains(PopulationBatch.agreement), "\(agreements.stdout)\(agreements.stderr)")
    }
}
