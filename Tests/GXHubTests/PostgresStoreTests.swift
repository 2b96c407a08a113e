import Foundation
import GXDomain
import GXPostgres
import GXTestSupport
import PostgresNIO
import Testing
@testable import GXStorage

@Suite("The PostgreSQL store under contention")
struct PostgresStoreTests {
    @Test("a commit that waits longer than the wait limit for another session's lock is answered unavailable, and changes nothing")
    func lockWaitIsBounded() async throws {
        let settings = try await TestPostgres.freshDatabase()
        let store = PostgresHubStore(settings: settings, maximumConnections: 2, idleTimeout: .seconds(2), lockWaitLimit: .milliseconds(500))
        Task { try await store.run() }
        try await store.prepare()
        let draft = AuditDraft(actor: "admin:authority", action: "test.appended", subject: "entry")
        try await store.commit([], audit: [draft], at: Date())
        try await TestPostgres.withConnection(settings) { holder in
            // Another hub process in the middle of a commit, for as long as this closure runs.
            try await holder.run("SELECT pg_advisory_lock(\(PostgresHubStore.commitLock))", logger: Logger(label: "test"))
            let error = await #expect(throws: StoreError.self) { try await store.commit([], audit: [draft], at: Date()) }
            // The server's lock_timeout ended the wait, not the store's deadline for a connection.
            #expect(error?.description.contains("for a lock held by another session") == true, "\(String(describing: error))")
            try await holder.run("SELECT pg_advisory_unlock(\(PostgresHubStore.commitLock))", logger: Logger(label: "test"))
        }
        #expect(try await store.auditHead().seq == 1)
        try await store.commit([], audit: [draft], at: Date())
        #expect(try await store.auditHead().seq == 2)
    }
}
