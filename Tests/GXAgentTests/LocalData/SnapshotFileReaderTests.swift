import Foundation
import Testing
@testable import GXAgent

@Suite("Snapshot files copied entry by entry and in pieces")
struct SnapshotFileReaderTests {
    /// Writes a snapshot of `keys` (in the order given), each with a digest of its index.
    private func write(_ keys: [String], to path: String, line: (Int) -> [UInt8] = { _ in [] }) throws {
        let writer = try SnapshotFileWriter(path: path, kind: .sha256)
        for (index, key) in keys.enumerated() {
            let digest = [UInt8](repeating: UInt8(truncatingIfNeeded: index), count: SnapshotFileFormat.digestLength)
            try Array(key.utf8).withUnsafeBytes { key in
                try digest.withUnsafeBytes { digest in
                    try line(index).withUnsafeBytes { line in try writer.append(key: key, digest: digest, line: line) }
                }
            }
        }
        try writer.finish(durable: false)
    }

    /// Every entry of the file at `path`: key and digest's first byte.
    private func entries(_ path: String) throws -> [String] {
        let reader = try SnapshotFileReader(path: path, checksOrder: true)
        var entries: [String] = []
        while reader.hasEntry {
            entries.append(String(decoding: reader.key, as: UTF8.self) + "/" + String(reader.digest[0]))
            try reader.advance()
        }
        return entries
    }

    /// 20 000 sorted keys, far more than the reader's buffer holds.
    private let keys = (0..<20_000).map { String(format: "key-%06d", $0) }

    @Test("entries before a key are copied as stored, across many refills of the buffer, and the reader stops at the key")
    func copiesUpToAKey() throws {
        let scratch = try LocalDataScratch()
        try write(keys, to: scratch.file("snapshot"))
        let reader = try SnapshotFileReader(path: scratch.file("snapshot"), checksOrder: true, bufferSize: 4096)
        let writer = try SnapshotFileWriter(path: scratch.file("copy"), kind: .sha256)
        let copied = try Array("key-012345".utf8).withUnsafeBytes { try reader.copyEntries(before: $0, into: writer) }
        #expect(copied == 12_345)
        #expect(String(decoding: reader.key, as: UTF8.self) == "key-012345")
        // Then the rest, to the end.
        try reader.advance()
        #expect(try reader.copyEntries(before: nil, into: writer) == 20_000 - 12_346)
        #expect(!reader.hasEntry)
        try writer.finish(durable: false)
        let expected = keys.enumerated().filter { $0.offset != 12_345 }.map { "\($0.element)/\(UInt8(truncatingIfNeeded: $0.offset))" }
        #expect(try entries(scratch.file("copy")) == expected)
    }

    @Test("nothing is copied when the current key is not below the limit")
    func nothingBeforeTheLimit() throws {
        let scratch = try LocalDataScratch()
        try write(keys, to: scratch.file("snapshot"))
        let reader = try SnapshotFileReader(path: scratch.file("snapshot"), checksOrder: true)
        let writer = try SnapshotFileWriter(path: scratch.file("copy"), kind: .sha256)
        #expect(try Array("key-000000".utf8).withUnsafeBytes { try reader.copyEntries(before: $0, into: writer) } == 0)
        #expect(String(decoding: reader.key, as: UTF8.self) == "key-000000")
    }

    @Test("copying stops at an entry that holds a line, which the caller takes by itself")
    func stopsAtALine() throws {
        let scratch = try LocalDataScratch()
        try write(keys, to: scratch.file("snapshot"), line: { $0 == 7_000 ? Array("line".utf8) : [] })
        let reader = try SnapshotFileReader(path: scratch.file("snapshot"), checksOrder: true)
        let writer = try SnapshotFileWriter(path: scratch.file("copy"), kind: .sha256)
        #expect(try reader.copyEntries(before: nil, into: writer) == 7_000)
        #expect(String(decoding: reader.line, as: UTF8.self) == "line")
    }

    @Test("keys out of order inside a piece are an error naming the entry")
    func orderChecked() throws {
        let scratch = try LocalDataScratch()
        var unordered = keys
        unordered.swapAt(9_000, 9_001)
        try write(unordered, to: scratch.file("snapshot"))
        let reader = try SnapshotFileReader(path: scratch.file("snapshot"), checksOrder: true)
        let writer = try SnapshotFileWriter(path: scratch.file("copy"), kind: .sha256)
        let error = #expect(throws: LocalDataError.self) { try reader.copyEntries(before: nil, into: writer) }
        #expect(error?.reason.contains("keys out of order at entry 9002") == true, "\(String(describing: error))")
    }
}
