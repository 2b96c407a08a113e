import Foundation
import GXCrypto
import GXStorage
import Testing

/// The hub's memory of payloads it just wrote: served without opening the seal again, bounded, and never
/// standing for a payload the store no longer keeps.
@Suite("Recent payloads served from memory")
struct RecentPayloadsTests {
    /// A file store in a fresh directory, sealing under a fresh data key, behind a memory of `budget` bytes.
    struct Stores {
        let directory: URL
        let files: FilePayloadStore
        let recent: RecentPayloads
        let keyring: DataKeyring

        init(budget: Int = 1 << 20, payloadLimit: Int = 1 << 20, lifetime: Duration = .seconds(600)) throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("gx-recent-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try DataKeyring.addKey(in: directory.appendingPathComponent("keys").path)
            keyring = try DataKeyring(directory: directory.appendingPathComponent("keys").path)
            files = FilePayloadStore(directory: directory.appendingPathComponent("payloads"))
            recent = RecentPayloads(files, budget: budget, payloadLimit: payloadLimit, lifetime: lifetime)
        }

        /// Writes `bytes` (remembered or not) and keeps it as `name`.
        func keep(_ bytes: [UInt8], as name: String, remembered: Bool = true) async throws {
            let writer = remembered ? try await recent.createRemembered(sealingWith: keyring.current) : try await recent.create(sealingWith: keyring.current)
            try await writer.write(bytes)
            try await writer.finish()
            _ = try await recent.keeping(writer.name, as: name)
        }

        func read(_ name: String) async throws -> [UInt8] {
            let reader = try await recent.open(name, keyring: keyring)
            defer { reader.close() }
            var all: [UInt8] = []
            while case let chunk = try await reader.read(upTo: 1000), !chunk.isEmpty { all += chunk }
            return all
        }

        /// Removes the stored copy behind the memory's back: only a remembered payload can still be read.
        func removeStoredCopy(_ name: String) throws {
            try FileManager.default.removeItem(at: directory.appendingPathComponent("payloads").appendingPathComponent(name))
        }
    }

    static func bytes(_ count: Int, _ seed: UInt8) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31) ^ seed } }

    @Test("a payload written to be served is read from memory once kept, under its kept name")
    func rememberedUnderKeptName() async throws {
        let stores = try Stores()
        let payload = Self.bytes(5000, 1)
        try await stores.keep(payload, as: "RK-001/deliveries/A/1-x.deflate")
        try stores.removeStoredCopy("RK-001/deliveries/A/1-x.deflate")
        #expect(try await stores.read("RK-001/deliveries/A/1-x.deflate") == payload)
        #expect(stores.recent.remembered.count == 1)
    }

    @Test("a payload written with plain create is not remembered: it is read from the store")
    func plainCreateNotRemembered() async throws {
        let stores = try Stores()
        try await stores.keep(Self.bytes(5000, 2), as: "RK-001/1-a.deflate", remembered: false)
        #expect(stores.recent.remembered.count == 0)
        try stores.removeStoredCopy("RK-001/1-a.deflate")
        await #expect(throws: (any Error).self) { _ = try await stores.read("RK-001/1-a.deflate") }
    }

    @Test("over budget, the payloads remembered first are forgotten first")
    func oldestForgottenFirst() async throws {
        let stores = try Stores(budget: 10_000, payloadLimit: 10_000)
        for index in 1...3 { try await stores.keep(Self.bytes(4000, UInt8(index)), as: "d/\(index)") }
        #expect(stores.recent.remembered.count == 2)
        #expect(stores.recent.remembered.bytes == 8000)
        for index in 1...3 { try stores.removeStoredCopy("d/\(index)") }
        await #expect(throws: (any Error).self) { _ = try await stores.read("d/1") }
        #expect(try await stores.read("d/3") == Self.bytes(4000, 3))
    }

    @Test("a payload larger than the limit is not remembered")
    func largePayloadNotRemembered() async throws {
        let stores = try Stores(budget: 100_000, payloadLimit: 3000)
        try await stores.keep(Self.bytes(3001, 4), as: "d/large")
        try await stores.keep(Self.bytes(3000, 5), as: "d/small")
        #expect(stores.recent.remembered.count == 1)
        try stores.removeStoredCopy("d/small")
        #expect(try await stores.read("d/small") == Self.bytes(3000, 5))
    }

    @Test("a payload deleted from the store, or whose keeping failed, is forgotten too")
    func deletedAndForgottenAreNotServed() async throws {
        let stores = try Stores()
        try await stores.keep(Self.bytes(100, 6), as: "d/deleted")
        await stores.recent.delete(["d/deleted"])
        let writer = try await stores.recent.createRemembered(sealingWith: stores.keyring.current)
        try await writer.write(Self.bytes(100, 7))
        try await writer.finish()
        _ = try await stores.recent.keeping(writer.name, as: "d/failed")
        await stores.recent.forget(writer.name, keptAs: "d/failed")
        #expect(stores.recent.remembered.count == 0)
        await #expect(throws: (any Error).self) { _ = try await stores.read("d/deleted") }
        await #expect(throws: (any Error).self) { _ = try await stores.read("d/failed") }
    }

    @Test("a remembered payload is read from the store once its lifetime is over")
    func expiredPayloadReadFromStore() async throws {
        let stores = try Stores(lifetime: .milliseconds(100))
        try await stores.keep(Self.bytes(100, 8), as: "d/old")
        try await Task.sleep(for: .milliseconds(150))
        try stores.removeStoredCopy("d/old")
        await #expect(throws: (any Error).self) { _ = try await stores.read("d/old") }
        #expect(stores.recent.remembered.count == 0)
    }

    @Test("bytes written as a sequence that can be read only once are stored and remembered whole")
    func singlePassSequenceRememberedWhole() async throws {
        let stores = try Stores()
        let payload = Self.bytes(3000, 10)
        let writer = try await stores.recent.createRemembered(sealingWith: stores.keyring.current)
        var iterator = payload.makeIterator()
        try await writer.write(AnySequence { AnyIterator { iterator.next() } })
        try await writer.finish()
        _ = try await stores.recent.keeping(writer.name, as: "d/once")
        #expect(try await stores.read("d/once") == payload)
        stores.recent.forgetAll()
        #expect(try await stores.read("d/once") == payload)
    }

    @Test("an abandoned upload is never remembered")
    func abandonedNotRemembered() async throws {
        let stores = try Stores()
        let writer = try await stores.recent.createRemembered(sealingWith: stores.keyring.current)
        try await writer.write(Self.bytes(100, 9))
        writer.abandon()
        #expect(stores.recent.remembered.count == 0)
    }
}
