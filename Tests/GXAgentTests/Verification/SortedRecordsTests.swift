import Foundation
import GXDomain
import Testing
@testable import GXAgent

@Suite("Sorted records for verification: in memory and as an external sort of runs")
struct SortedRecordsTests {
    /// Records with keys in a scrambled order; `[key, value]`.
    static func records(_ count: Int) -> [(key: String, line: [UInt8], keyLength: Int)] {
        (0..<count).map { index in
            let key = String(format: "%06d", (index * 7919) % count)
            var line: [UInt8] = []
            CanonicalRecord(operation: .upsert, values: [key, "v\(index)"]).write(into: &line)
            return (key, line, key.utf8.count + 2)
        }
    }

    func drain(_ sorted: SortedRecords) throws -> [String] {
        let reader = try sorted.reader()
        var keys: [String] = []
        while let next = try reader.next() {
            // The key handed out is the line's first value, as written.
            #expect(Array(next.line[next.line.startIndex + 5..<next.line.startIndex + 5 + next.key.count]) == Array(next.key))
            keys.append(String(decoding: next.key.dropFirst().dropLast(), as: UTF8.self))
        }
        return keys
    }

    @Test("records that fit in memory come back in key order, each once")
    func inMemory() throws {
        let scratch = try LocalDataScratch()
        let sorted = try SortedRecords(directory: scratch.file("sort"), memoryBudget: 64 << 20)
        let records = Self.records(1000)
        for record in records { try sorted.append(line: record.line, keyLength: record.keyLength) }
        #expect(try drain(sorted) == records.map(\.key).sorted())
        #expect(sorted.runCount == 0)
    }

    @Test("records beyond the memory budget are sorted in runs on disk and merged as they are read")
    func externalSort() throws {
        let scratch = try LocalDataScratch()
        let sorted = try SortedRecords(directory: scratch.file("sort"), memoryBudget: 1 << 16)
        let records = Self.records(20_000)
        for record in records { try sorted.append(line: record.line, keyLength: record.keyLength) }
        #expect(try drain(sorted) == records.map(\.key).sorted())
        #expect(sorted.runCount > 5)
        sorted.discard()
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.file("sort")).isEmpty)
    }
}
