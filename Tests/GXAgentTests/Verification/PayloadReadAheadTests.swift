import Foundation
import GXCrypto
import Testing
@testable import GXAgent

@Suite("Reading a payload file ahead on a thread of its own")
struct PayloadReadAheadTests {
    /// Bytes that differ at every position, sealed under a fresh data key (as an agent's runs are).
    static func sealed(_ scratch: LocalDataScratch, size: Int) throws -> (path: String, keyring: DataKeyring, bytes: [UInt8]) {
        _ = try DataKeyring.addKey(in: scratch.file("data-keys"))
        let keyring = try DataKeyring(directory: scratch.file("data-keys"))
        let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }
        let path = scratch.file("payload.sealed")
        let writer = try PayloadFileWriter(path: path, sealingWith: keyring.current)
        try writer.write(bytes)
        try writer.finish()
        return (path, keyring, bytes)
    }

    @Test("a sealed file read ahead gives exactly the bytes it holds, in order, then an empty chunk")
    func sameBytes() throws {
        let scratch = try LocalDataScratch()
        let file = try Self.sealed(scratch, size: 5 << 20 + 12345)
        let input = PayloadReadAhead(path: file.path, keyring: file.keyring, chunk: 1 << 20)
        var read: [UInt8] = []
        while case let chunk = try input.read(), !chunk.isEmpty {
            #expect(chunk.count <= 1 << 20)
            read += chunk
        }
        #expect(read == file.bytes)
        #expect(try input.read().isEmpty)
    }

    @Test("a changed sealed file is refused by the read that reaches it, naming the file and its HMAC-SM3")
    func changedRefused() throws {
        let scratch = try LocalDataScratch()
        let file = try Self.sealed(scratch, size: 3 << 20)
        var bytes = try #require(FileManager.default.contents(atPath: file.path))
        bytes[bytes.count / 2] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: file.path))
        let input = PayloadReadAhead(path: file.path, keyring: file.keyring)
        #expect {
            while case let chunk = try input.read(), !chunk.isEmpty {}
        } throws: { error in
            "\(error)".contains(file.path) && "\(error)".contains("HMAC-SM3")
        }
    }

    @Test("a file that cannot be opened is refused by the first read")
    func missingRefused() throws {
        let scratch = try LocalDataScratch()
        let input = PayloadReadAhead(path: scratch.file("absent"), keyring: nil)
        #expect(throws: CryptoError.self) { try input.read() }
    }

    @Test("closing before the end stops the reading thread and closes the file")
    func closeEarly() throws {
        let scratch = try LocalDataScratch()
        let file = try Self.sealed(scratch, size: 8 << 20)
        let input = PayloadReadAhead(path: file.path, keyring: file.keyring, chunk: 64 << 10, depth: 2)
        #expect(try input.read().count == 64 << 10)
        input.close()
        input.close()
        let open = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").compactMap {
            try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + $0)
        }
        #expect(!open.contains(file.path))
    }
}
