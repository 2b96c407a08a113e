import Foundation
import GXCrypto
import GXDomain

/// A snapshot pass's reading and preparing stages alone, wired as `ProviderSync` wires them — the source read
/// on the calling thread, one `RowPreparer` per core (up to four) on threads of their own, results handed on
/// in order — for `gx bench` to time a CSV export prepared with a `String` per value against as bytes.
public enum PreparingPass {
    /// What a pass kept: rows, the bytes of their lines, and rows quarantined.
    public struct Totals: Sendable, Equatable {
        public var kept = 0
        public var lineBytes = 0
        public var quarantined = 0

        public init() {}
    }

    /// Reads `source` as text (`bytes == false`) or as bytes, and prepares every row; `rules` makes each
    /// worker's mapper and validator.
    public static func run(_ source: CSVSource, bytes: Bool, keyIndices: [Int],
                           rules: () throws -> (RecordMapper, RecordValidator)) throws -> Totals {
        let preparers = try (0..<max(1, min(4, ProcessInfo.processInfo.activeProcessorCount))).map { _ in
            RowPreparer(rules: try rules(), keyIndices: keyIndices, digester: SnapshotDigestKind.sm3.digester(), bytes: bytes)
        }
        var totals = Totals()
        let preparing = PipelineStage<PreparingRow, PreparedRow>(
            label: "gongxiang.bench.prepare",
            transforms: preparers.map { preparer in { row in preparer.prepare(row) } },
            emit: { outcomes in
                for index in outcomes.indices {
                    switch outcomes[index] {
                    case .prepared(.success(let row), _):
                        totals.kept += 1
                        totals.lineBytes += row.line.count
                    case .prepared(.failure, _): totals.quarantined += 1
                    case .recalled(let rows): totals.kept += rows.count
                    }
                }
            })
        do {
            if bytes {
                try source.scanBytes { try preparing.add(.bytes($0, nil)) }
            } else {
                try source.scan(after: nil) { try preparing.add(.text($0)) }
            }
            try preparing.finish()
        } catch {
            preparing.abandon()
            throw error
        }
        return totals
    }
}
