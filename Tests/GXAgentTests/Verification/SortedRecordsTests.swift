import Foundation
import GXCrypto
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
        let sorted = try SortedRecords(directory: scratch.file("sort"), memoryBudget: 64 << 20, keyring: nil)
        let records = Self.records(1000)
        for record in records { try sorted.append(line: record.line, keyLength: record.keyLength) }
        #expect(try drain(sorted) == records.map(\.key).sorted())
        #expect(sorted.runCount == 0)
    }

    @Test("records beyond the memory budget are sorted in runs on disk and merged as they are read")
    func externalSort() throws {
        let scratch = try LocalDataScratch()
        let sorted = try SortedRecords(directory: scratch.file("sort"), memoryBudget: 1 << 16, keyring: nil)
        let records = Self.records(20_000)
        for record in records { try sorted.append(line: record.line, keyLength: record.keyLength) }
        #expect(try drain(sorted) == records.map(\.key).sorted())
        #expect(sorted.runCount > 5)
        sorted.discard()
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.file("sort")).isEmpty)
    }

    /// `count` lines of one length, and a budget that 2 000 of them fill (over the 64 KiB least budget).
    func sameLength(_ count: Int, in scratch: LocalDataScratch) throws -> (SortedRecords, [String]) {
        let records = Self.records(count).map { record in
            var line: [UInt8] = []
            CanonicalRecord(operation: .upsert, values: [record.key, "value"]).write(into: &line)
            return (key: record.key, line: line, keyLength: record.keyLength)
        }
        let sorted = try SortedRecords(directory: scratch.file("sort"), memoryBudget: SortArena.footprint(lineLength: records[0].line.count) * 2000 + 16,
                                       keyring: nil)
        for record in records { try sorted.append(line: record.line, keyLength: record.keyLength) }
        return (sorted, records.map(\.key).sorted())
    }

    @Test("a last arena under a quarter of the budget is not spilled: it merges from memory with the runs")
    func smallLastArenaStaysInMemory() throws {
        let scratch = try LocalDataScratch()
        let (sorted, keys) = try sameLength(4400, in: scratch)
        #expect(try drain(sorted) == keys)
        #expect(sorted.runCount == 2)
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.file("sort")).count == 2)
        sorted.discard()
    }

    @Test("a larger last arena is spilled like the others, so the merge holds only its buffers")
    func largeLastArenaSpilled() throws {
        let scratch = try LocalDataScratch()
        let (sorted, keys) = try sameLength(5200, in: scratch)
        #expect(try drain(sorted) == keys)
        #expect(sorted.runCount == 3)
        sorted.discard()
    }

    @Test("the budget is exactly what the lines and their index take: 2 000 lines fill it, the next one starts a run")
    func budgetIsExact() throws {
        let scratch = try LocalDataScratch()
        let (sorted, _) = try sameLength(2000, in: scratch)
        #expect(sorted.runCount == 0)
        let other = try LocalDataScratch()
        let (more, keys) = try sameLength(2001, in: other)
        #expect(more.runCount == 1)
        #expect(try drain(more) == keys)
        more.discard()
    }

    @Test("lines with equal keys come back in the order they were added, in memory and across runs")
    func equalKeysKeepTheirOrder() throws {
        let scratch = try LocalDataScratch()
        let sorted = try SortedRecords(directory: scratch.file("sort"), memoryBudget: 1 << 16, keyring: nil)
        for index in 0..<6000 {
            var line: [UInt8] = []
            CanonicalRecord(operation: .upsert, values: [String(format: "%04d", index % 500), "v\(index)"]).write(into: &line)
            try sorted.append(line: line, keyLength: 6)
        }
        #expect(sorted.runCount > 2)
        let reader = try sorted.reader()
        var values: [String: [Int]] = [:]
        while let next = try reader.next() {
            // `["u","0042","v542"]`: the key is the fourth piece between quotes, the value the sixth.
            let pieces = String(decoding: next.line, as: UTF8.self).split(separator: "\"", omittingEmptySubsequences: false)
            values[String(pieces[3]), default: []].append(Int(pieces[5].dropFirst())!)
        }
        #expect(values.count == 500)
        for (key, added) in values { #expect(added == added.sorted(), "key \(key) came back as \(added)") }
        sorted.discard()
    }

    @Test("a line larger than the whole budget is refused with its size, not looped over")
    func oversizedLineRefused() throws {
        let scratch = try LocalDataScratch()
        let sorted = try SortedRecords(directory: scratch.file("sort"), memoryBudget: 1 << 16, keyring: nil)
        var line: [UInt8] = []
        CanonicalRecord(operation: .upsert, values: ["k", String(repeating: "x", count: 70_000)]).write(into: &line)
        #expect {
            try sorted.append(line: line, keyLength: 3)
        } throws: { error in
            "\(error)".contains("record 1 is \(line.count) bytes") && "\(error)".contains("GX_VERIFY_SORT_MEMORY")
        }
        sorted.discard()
    }

    /// A keyring of one data key in the scratch folder, as an agent keeps `state_dir/data-keys`.
    static func keyring(_ scratch: LocalDataScratch) throws -> DataKeyring {
        _ = try DataKeyring.addKey(in: scratch.file("data-keys"))
        return try DataKeyring(directory: scratch.file("data-keys"))
    }

    /// Records whose values carry `planted`, spilled to runs under `keyring`.
    static func spilled(_ scratch: LocalDataScratch, keyring: DataKeyring, planted: String) throws -> SortedRecords {
        let sorted = try SortedRecords(directory: scratch.file("sort"), memoryBudget: 1 << 16, keyring: keyring)
        for index in 0..<5000 {
            var line: [UInt8] = []
            let key = String(format: "%06d", (index * 7919) % 5000)
            CanonicalRecord(operation: .upsert, values: [key, "\(planted)-\(index)"]).write(into: &line)
            try sorted.append(line: line, keyLength: key.utf8.count + 2)
        }
        return sorted
    }

    @Test("the sorted runs on disk are sealed under the agent's data key: no plain value in them, and they still merge in key order")
    func runsAreSealed() throws {
        let scratch = try LocalDataScratch()
        let sorted = try Self.spilled(scratch, keyring: try Self.keyring(scratch), planted: "PLANTED-西城区-VALUE")
        #expect(sorted.runCount > 2)
        let directory = scratch.file("sort")
        let runs = try FileManager.default.contentsOfDirectory(atPath: directory)
        #expect(runs.count == sorted.runCount)
        for run in runs {
            let bytes = try #require(FileManager.default.contents(atPath: directory + "/" + run))
            #expect(bytes.starts(with: Array("GXSM4v1".utf8)), "\(run) is not sealed")
            #expect(bytes.range(of: Data("PLANTED-西城区-VALUE".utf8)) == nil, "\(run) holds a plain value")
            #expect(bytes.range(of: Data("000001".utf8)) == nil, "\(run) holds a plain key")
        }
        #expect(try drain(sorted) == (0..<5000).map { String(format: "%06d", $0) })
        sorted.discard()
    }

    @Test("a sorted run with one byte changed is refused, not merged")
    func changedRunRefused() throws {
        let scratch = try LocalDataScratch()
        let sorted = try Self.spilled(scratch, keyring: try Self.keyring(scratch), planted: "v")
        let run = scratch.file("sort") + "/run-0.sorted"
        var bytes = try #require(FileManager.default.contents(atPath: run))
        bytes[bytes.count / 2] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: run))
        #expect {
            _ = try sorted.reader()
        } throws: { error in
            "\(error)".contains("the sorted run \(run) is refused") && "\(error)".contains("HMAC-SM3")
        }
        sorted.discard()
    }
}
