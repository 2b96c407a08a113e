import GXDomain
import Logging
import Synchronization

/// Hands a pushed batch's checked records to its delivery projections: each record's agreed values are
/// copied, as the bytes they arrived in, into one buffer per projection on the receiving task (cheap), and
/// full buffers go to a task of their own that digests and deflates them (the costly part), so that runs
/// beside the checks (inflate, SM3, parse, validate). A projection that fails is dropped and logged; its
/// delivery is projected on first pull.
///
/// Driven by one request: `add`, `keepUp` and `finish` (or `abandon`) from that request's task only.
final class ProjectionFeed {
    private static let chunkRecords = 1024
    /// Bytes of a chunk, all projections together: a push with forty consumers hands over smaller chunks
    /// more often rather than forty times the memory.
    private static let chunkBytes = 256 * 1024
    /// Chunks handed over and not yet projected, beyond which `keepUp` waits: memory stays bounded.
    private static let chunksAhead = 4
    private let feed: AsyncStream<[ProjectedLines]>.Continuation?
    private let projecting: Task<UncheckedProjections, Never>?
    private let outstanding = Outstanding()
    /// Each projection's `indices`, in the projections' order.
    private let layouts: [[Int?]]
    /// Each projection's `masks`: a masked value is decoded and masked, never copied.
    private let masking: [[ItemMask?]?]
    private var pending: [ProjectedLines]
    private var pendingRecords = 0
    private var pendingBytes = 0

    /// Canonical lines of one delivery, with the counts they hold.
    private struct ProjectedLines: Sendable {
        var bytes: [UInt8] = []
        var upserts: Int64 = 0
        var deletes: Int64 = 0
    }

    init(_ projections: [DeliveryProjection], sequence: Int64, logger: Logger) {
        layouts = projections.map(\.indices)
        masking = projections.map(\.masks)
        pending = Array(repeating: ProjectedLines(), count: projections.count)
        guard !projections.isEmpty else {
            feed = nil
            projecting = nil
            return
        }
        let (chunks, feed) = AsyncStream.makeStream(of: [ProjectedLines].self, bufferingPolicy: .unbounded)
        self.feed = feed
        let projections = UncheckedProjections(projections)
        let outstanding = outstanding
        projecting = Task {
            // Aligned with the chunks' buffers; a failed projection leaves a hole.
            var live: [DeliveryProjection?] = projections.all
            for await chunk in chunks {
                if Task.isCancelled { break }
                for (index, lines) in chunk.enumerated() {
                    guard let projection = live[index] else { continue }
                    do {
                        try await projection.append(projected: lines.bytes, upserts: lines.upserts, deletes: lines.deletes)
                    } catch {
                        live[index] = nil
                        projection.discard()
                        logger.warning("delivery \(projection.agreement.id)#\(sequence) is projected on first pull: \(error)")
                    }
                }
                outstanding.count.subtract(1, ordering: .releasing)
            }
            return UncheckedProjections(live.compactMap { $0 })
        }
        reservePending()
    }

    /// Adds a checked record of the batch, as received.
    func add(_ line: CanonicalRecordLine) {
        guard feed != nil else { return }
        let operation = line.operation
        // Taken out and put back: one exclusive access to the stored buffers per record, not one per value.
        var lines = pending
        pending = []
        for index in lines.indices {
            let before = lines[index].bytes.count
            if let masks = masking[index] {
                line.write(projecting: layouts[index], masking: masks, into: &lines[index].bytes)
            } else {
                line.write(projecting: layouts[index], into: &lines[index].bytes)
            }
            pendingBytes += lines[index].bytes.count - before
            switch operation {
            case .upsert: lines[index].upserts += 1
            case .delete: lines[index].deletes += 1
            }
        }
        pending = lines
        pendingRecords += 1
        if pendingRecords >= Self.chunkRecords || pendingBytes >= Self.chunkBytes { handOver() }
    }

    /// Waits while the projections are more than a few chunks behind.
    func keepUp() async throws {
        while outstanding.count.load(ordering: .acquiring) > Self.chunksAhead {
            try await Task.sleep(for: .milliseconds(1))
        }
    }

    /// Waits until every record added is projected; returns the projections that did not fail.
    func finish() async -> [DeliveryProjection] {
        guard let feed, let projecting else { return [] }
        if pendingRecords > 0 { handOver() }
        feed.finish()
        return await projecting.value.all
    }

    /// After the batch was refused: stops the projecting task and waits until it no longer touches the
    /// projections, which the caller then discards.
    func abandon() async {
        feed?.finish()
        projecting?.cancel()
        _ = await projecting?.value
    }

    private func handOver() {
        outstanding.count.add(1, ordering: .relaxed)
        feed?.yield(pending)
        pendingRecords = 0
        pendingBytes = 0
        pending = Array(repeating: ProjectedLines(), count: layouts.count)
        reservePending()
    }

    private func reservePending() {
        // About a chunk of a resource's lines (a 人口 record's is some 150 bytes), its share of the chunk's bytes.
        let share = min(Self.chunkRecords * 160, Self.chunkBytes / max(pending.count, 1) + 1024)
        for index in pending.indices { pending[index].bytes.reserveCapacity(share) }
    }
}

private final class Outstanding: Sendable {
    let count = Atomic<Int>(0)
}

/// The projections, handed whole to the projecting task, which alone touches them until it returns them.
private struct UncheckedProjections: @unchecked Sendable {
    let all: [DeliveryProjection]
    init(_ all: [DeliveryProjection]) { self.all = all }
}
