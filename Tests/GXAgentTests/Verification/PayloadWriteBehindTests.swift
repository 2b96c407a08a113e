import Foundation
import GXCrypto
import GXDomain
import Testing
@testable import GXAgent

@Suite("Encoding and writing a payload on a thread of its own")
struct PayloadWriteBehindTests {
    static func lines(_ count: Int) -> [[UInt8]] {
        (0..<count).map { index in
            var line: [UInt8] = []
            CanonicalRecord(operation: .upsert, values: [String(format: "%08d", index), "姓名\(index % 97)", nil]).write(into: &line)
            return line
        }
    }

    @Test("the payload written behind is the one an encoder and a writer on the caller's thread make: same digests, counts, copy and plaintext")
    func samePayload() throws {
        let scratch = try LocalDataScratch()
        _ = try DataKeyring.addKey(in: scratch.file("data-keys"))
        let keyring = try DataKeyring(directory: scratch.file("data-keys"))
        let lines = Self.lines(60_000)

        let behind = try PayloadWriteBehind(path: scratch.file("behind.deflate"), sealingWith: keyring.current)
        for line in lines { try behind.append(line: line) }
        let written = try behind.finish()

        let encoder = try BatchPayloadEncoder()
        var wire: [UInt8] = []
        for line in lines {
            try encoder.append(encoded: line, operation: .upsert)
            if encoder.pendingWireBytes >= 256 * 1024 { wire += encoder.takeWire() }
        }
        try encoder.finish()
        wire += encoder.takeWire()
        let expected = encoder.digests()

        #expect(written.records == expected.records)
        #expect(written.wire == expected.wire)
        #expect(written.copy == wire)
        let stored = try PayloadFileReader(path: scratch.file("behind.deflate"), keyring: keyring).readAll()
        #expect(stored == wire)
        let raw = try #require(FileManager.default.contents(atPath: scratch.file("behind.deflate")))
        #expect(raw.starts(with: Array("GXSM4v1".utf8)), "the payload is sealed at rest")
    }

    @Test("an abandoned payload leaves no file, and a second abandon does nothing")
    func abandonDeletes() throws {
        let scratch = try LocalDataScratch()
        let behind = try PayloadWriteBehind(path: scratch.file("abandoned.deflate"), sealingWith: nil)
        for line in Self.lines(20_000) { try behind.append(line: line) }
        behind.abandon()
        behind.abandon()
        #expect(!FileManager.default.fileExists(atPath: scratch.file("abandoned.deflate")))
    }

    @Test("a payload file that exists already is refused, not overwritten")
    func existingRefused() throws {
        let scratch = try LocalDataScratch()
        FileManager.default.createFile(atPath: scratch.file("kept.deflate"), contents: Data("kept".utf8))
        #expect(throws: CryptoError.self) { _ = try PayloadWriteBehind(path: scratch.file("kept.deflate"), sealingWith: nil) }
        #expect(FileManager.default.contents(atPath: scratch.file("kept.deflate")) == Data("kept".utf8))
    }
}
