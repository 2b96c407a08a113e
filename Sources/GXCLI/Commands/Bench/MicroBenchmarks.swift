import Foundation
import GXAgent
import GXCrypto
import GXDomain
import GXSamples
import GXStorage

/// The parts of a night measured alone: hashing, encoding and compressing, change detection, the audit chain.
struct MicroBenchmarks {
    struct Result: Codable, Sendable {
        var name: String
        var value: Double
        var unit: String
        var note: String
    }

    let directory: URL
    let digests: Int
    /// The repository folder holding Catalogue/ (the RK-001 entry the preparing benchmark checks against).
    let documents: URL

    func run() async throws -> [Result] {
        var results: [Result] = []
        results += try await sm3()
        results.append(try encodeAndDeflate())
        results += try preparing()
        results.append(try changeDetection())
        results += try await auditChain()
        return results
    }

    /// SM3 over 256 MiB in memory (ours, over OpenSSL's EVP) and `openssl dgst -sm3` over the same bytes in a file.
    func sm3() async throws -> [Result] {
        var block = [UInt8](repeating: 0, count: 16 << 20)
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        for index in block.indices {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            block[index] = UInt8(truncatingIfNeeded: seed >> 56)
        }
        let repeats = 16
        let clock = ContinuousClock()
        var hasher = SM3Hasher()
        let elapsed = clock.measure { for _ in 0..<repeats { hasher.update(block) } }
        _ = hasher.finalize()
        let megabytes = Double(block.count * repeats) / 1_048_576
        let file = directory.appendingPathComponent("sm3-input.bin")
        FileManager.default.createFile(atPath: file.path, contents: nil)
        let handle = try FileHandle(forWritingTo: file)
        for _ in 0..<repeats { try handle.write(contentsOf: block) }
        try handle.close()
        let openssl = try await MeasuredProcess.run("/usr/bin/openssl", ["dgst", "-sm3", file.path], log: "/dev/null")
        try? FileManager.default.removeItem(at: file)
        return [
            Result(name: "SM3 (gx, in memory)", value: megabytes / elapsed.seconds, unit: "MB/s", note: "256 MiB"),
            Result(name: "SM3 (openssl dgst -sm3, file)", value: megabytes / openssl.seconds, unit: "MB/s", note: "256 MiB, includes process start and reading the file"),
        ]
    }

    /// Canonical records (one JSON array per line) digested and deflated, as a provider spools a batch.
    func encodeAndDeflate() throws -> Result {
        let register = SampleRegister(resource: .population, rows: 200_000, seed: 1)
        var records: [CanonicalRecord] = []
        records.reserveCapacity(200_000)
        register.forEachRow { records.append(CanonicalRecord(operation: .upsert, values: $0)) }
        let encoder = try BatchPayloadEncoder()
        let elapsed = try ContinuousClock().measure {
            for record in records {
                try encoder.append(record)
                if encoder.pendingWireBytes > 1 << 20 { _ = encoder.takeWire() }
            }
            try encoder.finish()
        }
        let digests = encoder.digests()
        return Result(name: "canonical encoding + SM3 + deflate", value: Double(records.count) / elapsed.seconds, unit: "records/s",
                      note: String(format: "%.1f MB/s of canonical records, deflated to %.0f %%", Double(digests.records.bytes) / 1_048_576 / elapsed.seconds,
                                   100 * Double(digests.wire.bytes) / Double(max(1, digests.records.bytes))))
    }

    /// A provider's preparing stage on one thread over a CSV export of RK-001 — read, mapped, checked and
    /// encoded to canonical lines — with a `String` per value (as a database source still goes), then as
    /// bytes (as a CSV export goes, a row the byte path leaves taking the `String` path), in the same run.
    func preparing(rows: Int = 200_000) throws -> [Result] {
        let sample = try PreparingSample(rows: rows, directory: directory, documents: documents)
        defer { sample.remove() }
        let source = sample.source, validator = sample.validator
        /// Lines kept, their bytes, and how many went on bytes.
        var strings = (kept: 0, bytes: 0, onBytes: 0), bytes = (kept: 0, bytes: 0, onBytes: 0)
        let clock = ContinuousClock()
        let stringTime = try clock.measure {
            try source.scan(after: nil) { row in
                var line: [UInt8] = []
                line.reserveCapacity(256)
                guard sample.encodeViaStrings(row.values, into: &line) else { return }
                strings.kept += 1
                strings.bytes += line.count
            }
        }
        let byteTime = try clock.measure {
            try source.scanBytes { row in
                var line: [UInt8] = []
                line.reserveCapacity(256)
                let outcome = sample.encode(row, into: &line)
                guard outcome.kept else { return }
                if outcome.onBytes { bytes.onBytes += 1 }
                bytes.kept += 1
                bytes.bytes += line.count
            }
        }
        guard strings.kept == bytes.kept, strings.bytes == bytes.bytes else {
            throw CLIError("preparing: the String path kept \(strings.kept) rows (\(strings.bytes) bytes), the byte path \(bytes.kept) (\(bytes.bytes) bytes)")
        }
        // The same as a provider's pass runs it: a reading thread and a preparing worker per core, each line
        // digested and keyed.
        let rules = sample.rules
        var pipelined = (strings: PreparingPass.Totals(), bytes: PreparingPass.Totals())
        // CPU time too: on a shared machine it moves less than the wall time when a neighbour takes a core.
        var cpu = Self.cpuSeconds()
        let pipelinedStringTime = try clock.measure {
            pipelined.strings = try PreparingPass.run(source, bytes: false, keyIndices: validator.keyIndices, rules: rules)
        }
        let stringCPU = Self.cpuSeconds() - cpu
        cpu = Self.cpuSeconds()
        let pipelinedByteTime = try clock.measure {
            pipelined.bytes = try PreparingPass.run(source, bytes: true, keyIndices: validator.keyIndices, rules: rules)
        }
        let byteCPU = Self.cpuSeconds() - cpu
        guard pipelined.strings == pipelined.bytes, pipelined.strings.kept == strings.kept else {
            throw CLIError("preparing, pipelined: the String path gave \(pipelined.strings), the byte path \(pipelined.bytes)")
        }
        let note = "\(rows) rows of RK-001 from CSV, \(strings.kept) kept"
        let workers = max(1, min(4, ProcessInfo.processInfo.activeProcessorCount))
        return [
            Result(name: "preparing rows (String per value)", value: Double(rows) / stringTime.seconds, unit: "records/s", note: note + "; one thread"),
            Result(name: "preparing rows (bytes)", value: Double(rows) / byteTime.seconds, unit: "records/s",
                   note: note + String(format: "; one thread, %.1f %% of rows on bytes", 100 * Double(bytes.onBytes) / Double(max(1, rows)))),
            Result(name: "preparing rows, bytes / String", value: stringTime.seconds / byteTime.seconds, unit: "x faster", note: "same run, one thread"),
            Result(name: "preparing rows pipelined (Strings)", value: Double(rows) / pipelinedStringTime.seconds, unit: "records/s",
                   note: note + "; reader + \(workers) workers, keyed and SM3-digested as a provider's pass"),
            Result(name: "preparing rows pipelined (bytes)", value: Double(rows) / pipelinedByteTime.seconds, unit: "records/s",
                   note: note + "; reader + \(workers) workers, keyed and SM3-digested as a provider's pass"),
            Result(name: "preparing rows pipelined, bytes / String", value: pipelinedStringTime.seconds / pipelinedByteTime.seconds,
                   unit: "x faster", note: String(format: "same run; CPU %.2f s against %.2f s, %.2f x less", byteCPU, stringCPU, stringCPU / byteCPU)),
        ]
    }

    /// User and system CPU seconds of this process, all threads.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }

    /// The snapshot diff a provider runs each night: a first pass records every key's digest, the measured
    /// second pass (keeping a 128-byte line per row, as a provider does) finds 1 % changed.
    func changeDetection() throws -> Result {
        let store = try SnapshotDigestStore(directory: directory.appendingPathComponent("snapshots").path)
        let line = [UInt8](repeating: UInt8(ascii: "x"), count: 128)
        func digest(_ index: Int, _ version: Int) -> [UInt8] {
            var bytes = [UInt8](repeating: UInt8(truncatingIfNeeded: version), count: 32)
            withUnsafeBytes(of: index.littleEndian) { bytes.replaceSubrange(0..<8, with: $0) }
            return bytes
        }
        func pass(changing: Bool) throws -> SnapshotComparison {
            let diff = try store.beginDiff(resource: "RK-001")
            for index in 0..<digests {
                try diff.observe(key: [String(index)], digest: digest(index, changing && index % 100 == 0 ? 2 : 1), line: line)
            }
            let comparison = try diff.compare(onChange: { _, _ in }, onDelete: { _ in })
            try diff.commit()
            return comparison
        }
        _ = try pass(changing: false)
        var comparison = SnapshotComparison()
        let elapsed = try ContinuousClock().measure { comparison = try pass(changing: true) }
        guard comparison.updated == (digests + 99) / 100, comparison.observed == digests else {
            throw CLIError("change detection found \(comparison.updated) updated of \(comparison.observed) keys")
        }
        return Result(name: "change detection (snapshot diff)", value: Double(digests) / elapsed.seconds, unit: "digests/s",
                      note: "\(digests) keys, 1 % changed, second pass")
    }

    /// Appending to the audit chain (one transaction per entry, as the hub commits acts) and verifying it.
    func auditChain() async throws -> [Result] {
        let store = try SQLiteHubStore(path: directory.appendingPathComponent("audit.sqlite").path)
        let entries = 2000
        let clock = ContinuousClock()
        let append = try await clock.measure {
            for index in 0..<entries {
                try await store.commit([], audit: [AuditDraft(actor: "bench", action: "bench.appended", subject: "entry \(index)")], at: Date())
            }
        }
        let key = try SM2PrivateKey.generate()
        let verify = try await clock.measure {
            var verifier = AuditChainVerifier(checkpoints: [], hubKey: key.publicKey)
            var after: Int64 = 0
            while true {
                let page = try await store.auditChain(afterSeq: after, limit: 5000)
                guard let last = page.last else { break }
                for entry in page { _ = verifier.check(entry) }
                after = last.seq
            }
            _ = verifier.finish()
        }
        return [
            Result(name: "audit append (SQLite, one commit each)", value: Double(entries) / append.seconds, unit: "entries/s", note: "\(entries) entries"),
            Result(name: "audit verify (from the store)", value: Double(entries) / verify.seconds, unit: "entries/s", note: "\(entries) entries"),
        ]
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
