import Foundation
import GXCrypto
import GXStorage
import GXTestSupport
import Testing
@testable import GXHub

/// A received payload is sealed on a task of its own while the hub checks the bytes after it: what is kept
/// must be what was written, in order, and an abandoned one must leave nothing behind.
@Suite("Payloads written behind the checks")
struct BackgroundPayloadWriterTests {
    @Test("bytes written in uneven pieces are kept in order, byte for byte", arguments: StoreBackend.allCases)
    func keptInOrder(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.make(backend)
        let writer = BackgroundPayloadWriter(try await fixture.hub.payloads.create(sealingWith: fixture.hub.dataKeys?.current))
        let bytes = PayloadStoreContractTests.plaintext
        try await PayloadStoreContractTests.writeInPieces(bytes, to: writer)
        try await writer.finish()
        try await fixture.store.commit(try await fixture.hub.payloads.keeping(writer.name, as: "RK-001/1-behind.deflate"), audit: [], at: Date())
        let kept = try await PayloadStoreContractTests.readAll(fixture, "RK-001/1-behind.deflate")
        #expect(kept.size == Int64(bytes.count))
        #expect(kept.bytes == bytes)
    }

    @Test("a payload abandoned while a chunk is being written leaves no upload behind", arguments: StoreBackend.allCases)
    func abandonedLeavesNothing(_ backend: StoreBackend) async throws {
        let fixture = try await HubFixture.make(backend)
        let writer = BackgroundPayloadWriter(try await fixture.hub.payloads.create(sealingWith: fixture.hub.dataKeys?.current))
        try await writer.write(PayloadStoreContractTests.plaintext)
        writer.abandon()
        // The chunk in flight ends first, then the upload goes.
        var left = try await fixture.storedPayloads()
        for _ in 0..<100 where !left.isEmpty {
            try await Task.sleep(for: .milliseconds(20))
            left = try await fixture.storedPayloads()
        }
        #expect(left.isEmpty)
        #expect(try await fixture.hub.payloads.names().isEmpty)
    }
}
