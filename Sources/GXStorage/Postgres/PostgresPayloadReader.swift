import GXCrypto

/// A payload read from `payload_chunks` a chunk at a time. Sealed, it is read twice, as a ``SealedFileReader``
/// reads a file: once to check the tag before any plaintext is handed out, then to decrypt it with the tag
/// checked again at the end — unless its ciphertext was kept in memory as it was checked (within
/// ``SealedFileMemory``), when it is decrypted from there without fetching it again. A chunk missing or of the wrong length (the payload was pruned meanwhile, or
/// changed) is refused.
final class PostgresPayloadReader: PayloadReader {
    let size: Int64
    private let payloads: PostgresPayloadStore
    private let id: Int64
    private let name: String
    private let sealedSize: Int64
    private let opener: SealedPayloadOpener?
    /// The next chunk to fetch, and where in the sealed bytes it starts.
    private var next: Int32 = 0
    private var offset: Int64 = 0
    private var buffer: [UInt8] = []
    private var head = 0
    /// The ciphertext, kept as the tag was checked; nil when it is fetched again.
    private var held: [UInt8]?

    private init(payloads: PostgresPayloadStore, id: Int64, name: String, sealedSize: Int64, opener: SealedPayloadOpener?, held: [UInt8]? = nil) {
        self.held = held
        self.payloads = payloads
        self.id = id
        self.name = name
        self.sealedSize = sealedSize
        self.opener = opener
        size = opener?.plaintextSize ?? sealedSize
    }

    static func open(payloads: PostgresPayloadStore, id: Int64, name: String, sealedSize: Int64, keyring: DataKeyring?) async throws -> PostgresPayloadReader {
        guard let keyring else { return PostgresPayloadReader(payloads: payloads, id: id, name: name, sealedSize: sealedSize, opener: nil) }
        let header = SealedFile.headerByteCount, tagStart = sealedSize - Int64(SealedFile.tagByteCount)
        var opener: SealedPayloadOpener?
        var head: [UInt8] = [], tag: [UInt8] = []
        var offset: Int64 = 0, number: Int32 = 0
        guard sealedSize >= Int64(SealedFile.overhead) else {
            throw CryptoError.sealedFileRefused(path: name, reason: "it is \(sealedSize) bytes, shorter than any sealed file")
        }
        let cipherSize = Int(sealedSize) - SealedFile.overhead
        var held: [UInt8]? = SealedFileMemory.shared.take(cipherSize) ? [] : nil
        var handedOver = false
        defer { if held != nil, !handedOver { SealedFileMemory.shared.give(cipherSize) } }
        held?.reserveCapacity(cipherSize)
        while offset < sealedSize {
            let chunk = try await fetch(payloads, id, number, name: name)
            number += 1
            let range = offset..<(offset + Int64(chunk.count))
            offset = range.upperBound
            guard offset <= sealedSize else { throw CryptoError.sealedFileRefused(path: name, reason: "it is longer than its recorded \(sealedSize) bytes") }
            if range.lowerBound < Int64(header) { head += chunk[0..<Int(min(range.upperBound, Int64(header)) - range.lowerBound)] }
            if opener == nil, head.count == header {
                opener = try SealedPayloadOpener(name: name, sealedSize: sealedSize, header: head, keyring: keyring)
            }
            let cipherStart = max(range.lowerBound, Int64(header)), cipherEnd = min(range.upperBound, tagStart)
            if cipherStart < cipherEnd, let opener {
                chunk.withUnsafeBytes { raw in
                    let cipher = UnsafeRawBufferPointer(rebasing: raw[Int(cipherStart - range.lowerBound)..<Int(cipherEnd - range.lowerBound)])
                    opener.authenticate(cipher)
                    held?.append(contentsOf: cipher)
                }
            }
            if range.upperBound > tagStart { tag += chunk[Int(max(tagStart, range.lowerBound) - range.lowerBound)...] }
        }
        guard let opener else {
            throw CryptoError.sealedFileRefused(path: name, reason: "it is \(sealedSize) bytes, shorter than any sealed file")
        }
        try opener.verify(tag: tag)
        let reader = PostgresPayloadReader(payloads: payloads, id: id, name: name, sealedSize: sealedSize, opener: opener, held: held)
        handedOver = true
        return reader
    }

    deinit { close() }

    func read(upTo count: Int) async throws -> [UInt8] {
        if let held, let opener {
            let end = min(held.count, head + count)
            defer { head = end }
            var chunk = Array(held[head..<end])
            opener.decryptHeld(&chunk)
            return chunk
        }
        while head == buffer.count {
            guard try await fill() else { return [] }
        }
        let end = min(buffer.count, head + count)
        defer { head = end }
        return Array(buffer[head..<end])
    }

    func close() {
        if let held {
            SealedFileMemory.shared.give(held.count)
            self.held = nil
        }
    }

    /// Fetches the next chunk's plaintext into `buffer`; false at the end.
    private func fill() async throws -> Bool {
        guard offset < sealedSize else { return false }
        let chunk = try await Self.fetch(payloads, id, next, name: name)
        next += 1
        let range = offset..<(offset + Int64(chunk.count))
        offset = range.upperBound
        guard offset <= sealedSize else { throw CryptoError.sealedFileRefused(path: name, reason: "it is longer than its recorded \(sealedSize) bytes") }
        head = 0
        guard let opener else {
            buffer = chunk
            return true
        }
        let start = max(range.lowerBound, Int64(SealedFile.headerByteCount))
        let end = min(range.upperBound, sealedSize - Int64(SealedFile.tagByteCount))
        buffer = start < end ? Array(chunk[Int(start - range.lowerBound)..<Int(end - range.lowerBound)]) : []
        if !buffer.isEmpty { try opener.open(&buffer) }
        return true
    }

    private static func fetch(_ payloads: PostgresPayloadStore, _ id: Int64, _ number: Int32, name: String) async throws -> [UInt8] {
        guard let chunk = try await payloads.chunk(id, number: number) else {
            throw CryptoError.sealedFileRefused(path: name, reason: "it ended early: it was truncated")
        }
        return chunk
    }
}
