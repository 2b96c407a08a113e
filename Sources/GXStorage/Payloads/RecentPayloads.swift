import Foundation
import GXCrypto
import Synchronization

/// The plaintext of payloads this hub process has just written and is about to serve — deliveries, and
/// verification requests and answers — kept in memory for a few minutes, so that an agent pulling one right
/// after it was written is served without opening its seal again (SM4-CTR and HMAC-SM3 over every byte: a
/// tenth of a hub's CPU on a night's load). The sealed copy in the store stays the one that lasts; a payload
/// not remembered, expired, or pushed out by newer ones is read from the store as before.
///
/// Names are unique (a delivery's carries a random suffix, a batch's and a verification's the SM3 of their
/// manifests), so a remembered name never stands for other bytes. Bounded: at most `budget` bytes in all, a
/// payload larger than `payloadLimit` is not remembered, and each is forgotten after `lifetime`.
public final class RecentPayloads: PayloadStore {
    private let inner: any PayloadStore
    private let memory: Mutex<Memory>
    public let budget: Int
    public let payloadLimit: Int
    public let lifetime: Duration

    private struct Memory {
        var entries: [String: (bytes: [UInt8], written: ContinuousClock.Instant)] = [:]
        /// Names in the order they were remembered, oldest first: the first to go when over budget.
        var order: [String] = []
        var total = 0

        mutating func remove(_ name: String) {
            guard let entry = entries.removeValue(forKey: name) else { return }
            total -= entry.bytes.count
            order.removeAll { $0 == name }
        }
    }

    /// `budget` 0 remembers nothing: every payload is read from the store.
    public init(_ inner: any PayloadStore, budget: Int = 48 << 20, payloadLimit: Int = 16 << 20, lifetime: Duration = .seconds(600)) {
        self.inner = inner
        self.budget = budget
        self.payloadLimit = min(payloadLimit, budget)
        self.lifetime = lifetime
        memory = Mutex(Memory())
    }

    public var place: String { inner.place }

    /// How many payloads are remembered now, and their bytes.
    public var remembered: (count: Int, bytes: Int) {
        memory.withLock { ($0.entries.count, $0.total) }
    }

    /// Forgets every payload, as a restart would: what is served next is read from the store.
    public func forgetAll() {
        memory.withLock { $0 = Memory() }
    }

    public func create(sealingWith key: DataKey?) async throws -> any PayloadWriter {
        try await inner.create(sealingWith: key)
    }

    /// `create`, remembering the payload once it is finished (if it fits): one to be served soon.
    public func createRemembered(sealingWith key: DataKey?) async throws -> any PayloadWriter {
        let writer = try await inner.create(sealingWith: key)
        guard payloadLimit > 0 else { return writer }
        return RememberingWriter(writer, limit: payloadLimit) { [weak self] name, bytes in self?.remember(name, bytes) }
    }

    public func open(_ name: String, keyring: DataKeyring?) async throws -> any PayloadReader {
        if let bytes = recall(name) { return RememberedPayloadReader(bytes) }
        return try await inner.open(name, keyring: keyring)
    }

    public func keeping(_ provisional: String, as name: String) async throws -> [HubChange] {
        let changes = try await inner.keeping(provisional, as: name)
        memory.withLock { memory in
            guard let entry = memory.entries.removeValue(forKey: provisional) else { return }
            memory.entries[name] = entry
            if let index = memory.order.firstIndex(of: provisional) { memory.order[index] = name }
        }
        return changes
    }

    public func forget(_ provisional: String, keptAs name: String?) async {
        forgetNames([provisional] + (name.map { [$0] } ?? []))
        await inner.forget(provisional, keptAs: name)
    }

    public func deleting(_ names: [String]) -> [HubChange] {
        forgetNames(names)
        return inner.deleting(names)
    }

    public func deleted(_ names: [String]) async {
        forgetNames(names)
        await inner.deleted(names)
    }

    public func delete(_ names: [String]) async {
        forgetNames(names)
        await inner.delete(names)
    }

    public func names() async throws -> [String] { try await inner.names() }

    public func removeAbandonedUploads(olderThan age: TimeInterval) async {
        await inner.removeAbandonedUploads(olderThan: age)
    }

    private func remember(_ name: String, _ bytes: [UInt8]) {
        memory.withLock { memory in
            memory.remove(name)
            memory.entries[name] = (bytes, ContinuousClock.now)
            memory.order.append(name)
            memory.total += bytes.count
            while memory.total > budget, let oldest = memory.order.first { memory.remove(oldest) }
        }
    }

    private func recall(_ name: String) -> [UInt8]? {
        memory.withLock { memory in
            guard let entry = memory.entries[name] else { return nil }
            guard ContinuousClock.now - entry.written < lifetime else {
                memory.remove(name)
                return nil
            }
            return entry.bytes
        }
    }

    private func forgetNames(_ names: [String]) {
        memory.withLock { memory in for name in names { memory.remove(name) } }
    }
}

/// Writes through to the store's writer and keeps a copy of what it wrote, handed over when it is finished
/// (dropped as soon as it grows past `limit`).
private final class RememberingWriter: PayloadWriter {
    private let inner: any PayloadWriter
    private let limit: Int
    private let finished: (String, [UInt8]) -> Void
    private var copy: [UInt8]? = []

    init(_ inner: any PayloadWriter, limit: Int, finished: @escaping (String, [UInt8]) -> Void) {
        self.inner = inner
        self.limit = limit
        self.finished = finished
    }

    var name: String { inner.name }

    /// Reads `bytes` once (a sequence need not allow a second pass): into the copy, then from the copy to the
    /// store's writer, so what is remembered is exactly what was written.
    func write(_ bytes: some Sequence<UInt8>) async throws {
        guard var kept = copy else { return try await inner.write(bytes) }
        copy = nil
        let start = kept.count
        kept.append(contentsOf: bytes)
        try await inner.write(kept[start...])
        if kept.count <= limit { copy = kept }
    }

    func finish() async throws {
        try await inner.finish()
        if let copy { finished(name, copy) }
        copy = nil
    }

    func abandon() {
        copy = nil
        inner.abandon()
    }
}

/// A remembered payload's plaintext, handed out as a store's reader would.
private final class RememberedPayloadReader: PayloadReader {
    private let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var size: Int64 { Int64(bytes.count) }

    func read(upTo count: Int) async throws -> [UInt8] {
        let end = min(bytes.count, offset + max(count, 0))
        defer { offset = end }
        return Array(bytes[offset..<end])
    }

    func close() {}
}
