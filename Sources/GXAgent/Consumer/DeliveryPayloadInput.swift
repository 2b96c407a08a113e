import GXCrypto

/// A downloaded payload (a delivery, a verification answer) read in chunks, from memory or from its sealed file.
final class DeliveryPayloadInput {
    private let file: PayloadFileReader?
    private let held: [UInt8]
    private var offset = 0

    init(_ delivery: DeliveryFetcher.Delivery) throws {
        if let payload = delivery.payload {
            held = payload
            file = nil
        } else if let url = delivery.file {
            held = []
            file = try PayloadFileReader(path: url.path, keyring: delivery.keyring)
        } else {
            held = []
            file = nil
        }
    }

    init(_ downloaded: DownloadedPayload, keyring: DataKeyring?) throws {
        switch downloaded {
        case .memory(let bytes):
            held = bytes
            file = nil
        case .file(let url):
            held = []
            file = try PayloadFileReader(path: url.path, keyring: keyring)
        }
    }

    /// The next bytes, at most `count`; empty at the end.
    func read(upTo count: Int) throws -> [UInt8] {
        if let file { return try file.read(upTo: count) }
        let end = min(held.count, offset + count)
        defer { offset = end }
        return Array(held[offset..<end])
    }

    func close() { file?.close() }
}
