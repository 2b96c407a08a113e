import Foundation
import Testing
import GXCrypto

@Suite("Deflate and inflate")
struct CompressionTests {
    static let unlimited = Int.max

    /// Compresses `data` fed in uneven chunks.
    static func deflate(_ data: [UInt8], level: Int32 = 1) throws -> [UInt8] {
        let deflater = try Deflater(level: level)
        var compressed: [UInt8] = []
        for chunk in TestData.unevenChunks(data) {
            try chunk.withUnsafeBytes { try deflater.compress($0, into: &compressed) }
        }
        try deflater.finish(into: &compressed)
        return compressed
    }

    /// Inflates `compressed` fed in uneven chunks (different ones from the deflate side).
    static func inflate(_ compressed: [UInt8], limit: Int = unlimited) throws -> (output: [UInt8], inflater: Inflater) {
        let inflater = try Inflater()
        var output: [UInt8] = []
        for chunk in TestData.unevenChunks(compressed, sizes: [13, 1, 99_991, 2, 7_777]) {
            try chunk.withUnsafeBytes { try inflater.decompress($0, into: &output, limit: limit) }
        }
        return (output, inflater)
    }

    @Test("5 MB of record-like text survives deflate and inflate in odd-sized chunks")
    func roundTripInOddChunks() throws {
        let data = TestData.semiRandomText(byteCount: 5_000_011)
        let compressed = try Self.deflate(data)
        #expect(compressed.count < data.count / 2, "level 1 should at least halve record-like text")

        let (output, inflater) = try Self.inflate(compressed)
        #expect(inflater.isFinished)
        try inflater.finish()
        #expect(output == data)
    }

    @Test("incompressible data and every level round-trip", arguments: [Int32(0), 1, 2, 3])
    func everyLevelRoundTrips(level: Int32) throws {
        let data = TestData.randomBytes(count: 300_001) + TestData.semiRandomText(byteCount: 300_000)
        let (output, inflater) = try Self.inflate(try Self.deflate(data, level: level))
        #expect(inflater.isFinished)
        #expect(output == data)
    }

    @Test("an empty stream round-trips")
    func emptyStreamRoundTrips() throws {
        let (output, inflater) = try Self.inflate(try Self.deflate([]))
        #expect(inflater.isFinished)
        #expect(output.isEmpty)
    }

    @Test("Deflater output inflates with Python's zlib to the same bytes")
    func pythonInflatesDeflaterOutput() throws {
        let scratch = try ScratchDirectory()
        let data = TestData.semiRandomText(byteCount: 2_000_003)
        try scratch.write(try Self.deflate(data), to: "batch.z")
        let result = try scratch.run(["python3", "-c",
            "import zlib,sys; open(sys.argv[2],'wb').write(zlib.decompress(open(sys.argv[1],'rb').read()))",
            "batch.z", "batch.out"])
        #expect(result.status == 0, "python3: \(result.stderr)")
        #expect(try scratch.read("batch.out") == data)
    }

    @Test("Python's zlib output inflates in gx to the same bytes")
    func inflaterReadsPythonOutput() throws {
        let scratch = try ScratchDirectory()
        let data = TestData.semiRandomText(byteCount: 2_000_003, seed: 9)
        try scratch.write(data, to: "batch.csv")
        let result = try scratch.run(["python3", "-c",
            "import zlib,sys; open(sys.argv[2],'wb').write(zlib.compress(open(sys.argv[1],'rb').read(), 6))",
            "batch.csv", "batch.z"])
        #expect(result.status == 0, "python3: \(result.stderr)")
        let (output, inflater) = try Self.inflate(try scratch.read("batch.z"))
        #expect(inflater.isFinished)
        #expect(output == data)
    }

    @Test("a zip bomb trips the output limit without inflating past it")
    func zipBombTripsLimit() throws {
        // 256 MiB of zeros deflate to about 250 KiB.
        let deflater = try Deflater(level: 3)
        var bomb: [UInt8] = []
        let zeros = [UInt8](repeating: 0, count: 1 << 20)
        for _ in 0..<256 { try deflater.compress(zeros, into: &bomb) }
        try deflater.finish(into: &bomb)
        #expect(bomb.count < 1 << 20)

        let limit = 4 << 20
        let inflater = try Inflater()
        var output: [UInt8] = []
        #expect(throws: CompressionError.outputLimitExceeded(limit: limit)) {
            try inflater.decompress(bomb, into: &output, limit: limit)
        }
        #expect(output.count <= limit)
        #expect(!inflater.isFinished)
        // The inflater stays failed rather than resuming past the limit.
        #expect(throws: CompressionError.outputLimitExceeded(limit: limit)) {
            try inflater.decompress([0], into: &output, limit: Int.max)
        }
    }

    @Test("a stream exactly at the limit is accepted")
    func exactLimitAccepted() throws {
        let data = TestData.semiRandomText(byteCount: 1_000_000)
        let (output, inflater) = try Self.inflate(try Self.deflate(data), limit: data.count)
        #expect(inflater.isFinished)
        #expect(output == data)
        #expect(throws: CompressionError.outputLimitExceeded(limit: data.count - 1)) {
            _ = try Self.inflate(try Self.deflate(data), limit: data.count - 1)
        }
    }

    @Test("a truncated stream is not finished and finish() reports it")
    func truncatedStreamReported() throws {
        let data = TestData.semiRandomText(byteCount: 500_000)
        let compressed = try Self.deflate(data)
        for cut in [1, 4, compressed.count / 2] {
            let (output, inflater) = try Self.inflate(Array(compressed.dropLast(cut)))
            #expect(!inflater.isFinished)
            #expect(output.count < data.count || cut <= 4, "only the checksum may be missing")
            #expect(throws: CompressionError.truncated) { try inflater.finish() }
        }
    }

    @Test("a corrupted stream is reported as corrupt")
    func corruptStreamReported() throws {
        var compressed = try Self.deflate(TestData.semiRandomText(byteCount: 200_000))
        compressed[compressed.count - 2] ^= 0xFF  // inside the Adler-32 trailer
        let error = #expect(throws: CompressionError.self) { _ = try Self.inflate(compressed) }
        guard case .corrupt? = error else { Issue.record("expected corrupt, got \(String(describing: error))"); return }
    }

    @Test("data that is not zlib at all is reported as corrupt")
    func notZlibReported() throws {
        let error = #expect(throws: CompressionError.self) { _ = try Self.inflate(Array("id,name\n1,张三\n".utf8)) }
        guard case .corrupt? = error else { Issue.record("expected corrupt, got \(String(describing: error))"); return }
    }

    @Test("bytes after the end of the stream are reported, however few", arguments: [1, 3, 7, 8, 9, 20])
    func trailingDataReported(count: Int) throws {
        let compressed = try Self.deflate(Array("one stream".utf8))
        let inflater = try Inflater()
        var output: [UInt8] = []
        #expect(throws: CompressionError.trailingData(byteCount: count)) {
            try inflater.decompress(compressed + [UInt8](repeating: 0x5A, count: count), into: &output, limit: 1 << 20)
        }
    }

    @Test("bytes arriving after the stream ended are reported")
    func trailingDataInLaterCallReported() throws {
        let compressed = try Self.deflate(Array("one stream".utf8))
        let inflater = try Inflater()
        var output: [UInt8] = []
        try inflater.decompress(compressed, into: &output, limit: 1 << 20)
        #expect(inflater.isFinished)
        #expect(throws: CompressionError.trailingData(byteCount: 2)) {
            try inflater.decompress([1, 2], into: &output, limit: 1 << 20)
        }
    }

    @Test("compressing after finish is refused; reset starts a new stream")
    func compressAfterFinish() throws {
        let deflater = try Deflater()
        var first: [UInt8] = []
        try deflater.compress(Array("first".utf8), into: &first)
        try deflater.finish(into: &first)
        try deflater.finish(into: &first)  // idempotent
        #expect(throws: CompressionError.alreadyFinished) { try deflater.compress([1], into: &first) }

        deflater.reset()
        var second: [UInt8] = []
        try deflater.compress(Array("second".utf8), into: &second)
        try deflater.finish(into: &second)
        #expect(try Self.inflate(first).output == Array("first".utf8))
        #expect(try Self.inflate(second).output == Array("second".utf8))
    }

    @Test("a deflater reset again and again writes a whole stream each time", arguments: [Int32(0), 1, 3])
    func resetManyTimes(level: Int32) throws {
        let deflater = try Deflater(level: level)
        for round in 0..<40 {
            let data = TestData.semiRandomText(byteCount: 1_000 + round * 997, seed: UInt64(round))
            var compressed: [UInt8] = []
            try deflater.compress(data, into: &compressed)
            try deflater.finish(into: &compressed)
            let (output, inflater) = try Self.inflate(compressed)
            #expect(inflater.isFinished, "round \(round)")
            #expect(output == data, "round \(round)")
            deflater.reset()
        }
    }

    @Test("an out-of-range level is refused", arguments: [Int32(4), -1])
    func invalidLevelRefused(level: Int32) {
        #expect(throws: CompressionError.invalidLevel(level)) { try Deflater(level: level) }
    }
}
