import GXDomain
import Logging
import Synchronization

/// Hands a pushed batch's checked records to its delivery projections on a task of their own, in chunks,
/// so projecting (encode, deflate, SM3) runs beside the checks (inflate, SM3, parse, validate) instead of
/// after each record. A projection that fails is dropped and logged; its delivery is projected on first pull.
///
/// Driven by one request: `add`, `keepUp` and `finish` (or `abandon`) from that request's task only.
final class ProjectionFeed {
    private static let chunkRecords = 1024
    /// Chunks handed over and not yet projected, beyond which `keepUp` waits: memory stays bounded.
    private static let chunksAhead = 4
    private let feed: AsyncStream<[CanonicalRecord]>.Continuation?
    private let projecting: Task<UncheckedProjections, Never>?
    private let outstanding = Outstanding()
    private var chunk: [CanonicalRecord] = []

    init(_ projections: [DeliveryProjection], sequence: Int64, logger: Logger) {
        guard !projections.isEmpty else {
            feed = nil
            projecting = nil
            return
        }
        let (chunks, feed) = AsyncStream.makeStream(of: [CanonicalRecord].self, bufferingPolicy: .unbounded)
        self.feed = feed
        let projections = UncheckedProjections(projections)
        let outstanding = outstanding
        projecting = Task {
            var live = projections.all
            for await chunk in chunks {
                if Task.isCancelled { break }
                for record in chunk {
                    var index = 0
                    while index < live.count {
                        do {
                            try live[index].append(record)
                            index += 1
                        } catch {
                            let failed = live.remove(at: index)
                            failed.discard()
                            logger.warning("delivery \(failed.agreement.id)#\(sequence) is projected on first pull: \(error)")
                        }
                    }
                }
                outstanding.count.subtract(1, ordering: .releasing)
            }
            return UncheckedProjections(live)
        }
        chunk.reserveCapacity(Self.chunkRecords)
    }

    func add(_ record: CanonicalRecord) {
        guard let feed else { return }
        chunk.append(record)
        if chunk.count >= Self.chunkRecords {
            outstanding.count.add(1, ordering: .relaxed)
            feed.yield(chunk)
            chunk = []
            chunk.reserveCapacity(Self.chunkRecords)
        }
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
        if !chunk.isEmpty { feed.yield(chunk) }
        chunk = []
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
}

private final class Outstanding: Sendable {
    let count = Atomic<Int>(0)
}

/// The projections, handed whole to the projecting task, which alone touches them until it returns them.
private struct UncheckedProjections: @unchecked Sendable {
    let all: [DeliveryProjection]
    init(_ all: [DeliveryProjection]) { self.all = all }
}
