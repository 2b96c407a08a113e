import Foundation
import GXCrypto
import GXDomain
import GXHub
import GXPostgres
import GXStorage
import GXTestSupport
import Testing

/// What the hub asks of wherever it keeps payloads, held by both stores: files of the batch directory (the
/// SQLite fixture's) and rows of the PostgreSQL database (the PostgreSQL fixture's).
@Suite("Payload store contract")
struct PayloadStoreContractTests {
    /// Bytes that cross several 256 KB chunks and end inside one, in uneven pieces.
    static let plaintext: [UInt8] = (0..<(700 * 1024 + 123)).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }

    /// Writes `bytes` in uneven pieces and keeps the payload as `name`, committed as the hub commits it.
    static func keep(_ bytes: [UInt8], as name: String, in fixture: HubFixture) async throws {
        let payloads = fixture.hub.payloads
        let writer = try await payloads.create(sealingWith: fixture.hub.dataKeys?.current)
        try await writeInPieces(bytes, to: writer)
        try await writer.finish()
        try await fixture.store.commit(try await payloads.keeping(writer.name, as: name), audit: [], at: Date())
    }

    /// Writes `bytes` to `writer` in uneven pieces, as a body arrives.
    static func writeInPieces(_ bytes: [UInt8], to writer: any PayloadWriter) async throws {
        var offset = 0, piece = 1000
        while offset < bytes.count {
            let end = min(bytes.count, offset + piece)
            try await writer.write(bytes[offset..<end])
            offset = end
            piece = piece * 3 % 200_003 + 17
        }
    }

    static func readAll(_ fixture: HubFixture, _ name: String) async throws -> (size: Int64, bytes: [UInt8]) {
        let reader = try await fixture.hub.payloads.open(name, keyring: fixture.hub.dataKeys)
        defer { reader.close() }
        var all: [UInt8] = []
        while case let chunk = try await reader.read(upTo: 100_000), !chunk.isEmpty { all += chunk }
        return (reader.size, all)
    }

    @Test("a payload written as a stream is kept sealed and read back as a stream, byte for byte, with its size", arguments: StoreBackend.allCases)
    func writeAndRead(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.make(backend)
        try await Self.keep(Self.plaintext, as: "RK-001/1-contract.deflate", in: fixture)
        let (size, bytes) = try await Self.readAll(fixture, "RK-001/1-contract.deflate")
        #expect(size == Int64(Self.plaintext.count))
        #expect(bytes == Self.plaintext)
        let stored = try await fixture.storedBytes("RK-001/1-contract.deflate")
        #expect(stored.count == Self.plaintext.count + SealedFile.overhead)
        #expect(Array(stored.prefix(8)) == SealedFile.magic && Array(stored[8..<16]) == fixture.hub.dataKeys?.current.id)
        #expect(try await fixture.hub.payloads.names() == ["RK-001/1-contract.deflate"])
    }

    @Test("a payload larger than a process may hold in memory to open it is streamed twice and read back byte for byte", arguments: StoreBackend.allCases)
    func largePayloadIsStreamed(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.make(backend)
        let large = (0..<(SealedFileMemory.shared.perFile + 300_001)).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 11) }
        try await Self.keep(large, as: "RK-001/3-contract.deflate", in: fixture)
        let (size, bytes) = try await Self.readAll(fixture, "RK-001/3-contract.deflate")
        #expect(size == Int64(large.count))
        #expect(bytes == large)
    }

    @Test("a kept payload with one byte changed, or cut short, is refused when opened, before a byte is read", arguments: StoreBackend.allCases)
    func tamperedIsRefused(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.make(backend)
        try await Self.keep(Self.plaintext, as: "RK-001/2-contract.deflate", in: fixture)
        let original = try await fixture.storedBytes("RK-001/2-contract.deflate")
        var changed = original
        changed[300 * 1024] ^= 0x01
        try await fixture.replaceStoredBytes("RK-001/2-contract.deflate", with: changed)
        await #expect(throws: CryptoError.self) { _ = try await Self.readAll(fixture, "RK-001/2-contract.deflate") }
        do {
            _ = try await fixture.hub.payloads.open("RK-001/2-contract.deflate", keyring: fixture.hub.dataKeys)
            Issue.record("a changed payload was opened")
        } catch {
            #expect("\(error)".contains("HMAC-SM3 does not match"), "\(error)")
        }
        try await fixture.replaceStoredBytes("RK-001/2-contract.deflate", with: Array(original.dropLast(5)))
        await #expect(throws: CryptoError.self) { _ = try await Self.readAll(fixture, "RK-001/2-contract.deflate") }
    }

    @Test("an upload is not a kept payload until kept; forgotten, it is gone", arguments: StoreBackend.allCases)
    func uploadsAreProvisional(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.make(backend)
        let writer = try await fixture.hub.payloads.create(sealingWith: fixture.hub.dataKeys?.current)
        try await writer.write(Self.plaintext)
        try await writer.finish()
        #expect(try await fixture.hub.payloads.names().isEmpty)
        #expect(try await fixture.storedPayloads() == [writer.name])
        await fixture.hub.payloads.forget(writer.name, keptAs: nil)
        #expect(try await fixture.storedPayloads().isEmpty)
    }

    @Test("a deleted payload is no longer listed and cannot be opened", arguments: StoreBackend.allCases)
    func deleteRemoves(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.make(backend)
        try await Self.keep([1, 2, 3], as: "RK-001/3-contract.deflate", in: fixture)
        try await Self.keep([4, 5, 6], as: "RK-001/4-contract.deflate", in: fixture)
        let payloads = fixture.hub.payloads
        try await fixture.store.commit(payloads.deleting(["RK-001/3-contract.deflate"]), audit: [], at: Date())
        await payloads.deleted(["RK-001/3-contract.deflate"])
        #expect(try await payloads.names() == ["RK-001/4-contract.deflate"])
        await #expect(throws: CryptoError.self) { _ = try await payloads.open("RK-001/3-contract.deflate", keyring: fixture.hub.dataKeys) }
        await payloads.delete(["RK-001/4-contract.deflate"])
        #expect(try await payloads.names().isEmpty)
        #expect(try await fixture.storedPayloads().isEmpty)
    }

    @Test("the abandoned-upload sweep removes the uploads of a process on this host that no longer runs, and keeps this process's", arguments: StoreBackend.allCases)
    func abandonedUploadsAreRemoved(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.make(backend)
        let mine = try await fixture.hub.payloads.create(sealingWith: fixture.hub.dataKeys?.current)
        try await mine.write([1, 2, 3])
        // pid 2^22 + 1 is above Linux's pid_max: no process has it.
        let dead = "incoming/\(ProcessInfo.processInfo.hostName)-4194305/left-by-a-crash"
        if let postgres = fixture.store as? PostgresHubStore {
            try await TestPostgres.execute("INSERT INTO payloads (name) VALUES ('\(dead)')", in: postgres.settings)
        } else {
            let file = fixture.hub.batchDirectory.appendingPathComponent(dead)
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data([9]).write(to: file)
        }
        #expect(try await fixture.storedPayloads().count == 2)
        await fixture.hub.removeIncompleteUploads()
        #expect(try await fixture.storedPayloads() == [mine.name])
    }

    @Test("a payload is kept only with the commit that names it: a commit that fails keeps nothing (PostgreSQL)")
    func keptWithItsCommit() async throws {
        let fixture = try await HubFixture.make(.postgres)
        let payloads = fixture.hub.payloads
        let writer = try await payloads.create(sealingWith: fixture.hub.dataKeys?.current)
        try await writer.write(Self.plaintext)
        try await writer.finish()
        // The same commit records a change that fails (an agreement that does not exist): the rename is rolled back.
        let missing = try #require(try SampleDocuments.agreementTerms().first)
        await #expect(throws: StoreError.self) {
            try await fixture.store.commit(try await payloads.keeping(writer.name, as: "RK-001/5-contract.deflate")
                                           + [.saveAgreement(SharingAgreement(terms: missing), expectedRevision: 7)], audit: [], at: Date())
        }
        #expect(try await payloads.names().isEmpty)
        #expect(try await fixture.storedPayloads() == [writer.name])
    }
}
