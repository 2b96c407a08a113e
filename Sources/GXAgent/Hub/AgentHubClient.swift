import AsyncHTTPClient
import Foundation
import GXCrypto
import GXDomain
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOSSL

/// The agent's side of the hub API. Network errors and 5xx answers are retried with exponential backoff
/// (bounded, logged); a 4xx is the hub's decision and is not retried.
struct AgentHubClient: Sendable {
    let baseURL: String
    let token: String
    /// Set for an HTTPS hub with its own CA or mutual TLS; nil uses the system trust store.
    var tls: TLSConfiguration? = nil
    let logger: Logger
    /// Seal what the agent keeps of records (spool, downloads, quarantine); nil keeps plain files.
    var dataKeys: DataKeyring? = nil
    var attempts = 5
    var firstBackoff: Double = 0.5
    static let maxJSONBytes = 64 << 20

    /// Connection failures surface at once (not retried inside the pool until the request deadline), so
    /// the agent's own bounded, logged backoff decides.
    static let http: HTTPClient = {
        var configuration = HTTPClient.Configuration(timeout: .init(connect: .seconds(10), read: .seconds(300)))
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    func get<T: Decodable>(_ path: String, as type: T.Type = T.self) async throws -> T {
        try decode(T.self, try await json(.GET, path, body: nil), path)
    }

    func post<T: Decodable>(_ path: String, _ value: some Encodable, as type: T.Type = T.self) async throws -> T {
        try decode(T.self, try await json(.POST, path, body: try JSONEncoder().encode(value)), path)
    }

    /// Pushes a spooled batch with its manifest headers: `inMemory` when the pass kept its payload, else the
    /// payload file, streamed.
    func pushBatch(resource: String, manifestBase64: String, signatureBase64: String, payload: URL,
                   inMemory: MemoryChunks? = nil) async throws -> ExchangeAPI.BatchOutcome {
        // Opening checks the seal: a spool file changed on disk is refused before a byte reaches the hub. The
        // first attempt sends from the reader that checked it (a small file is held in memory, read once).
        let opened = try inMemory == nil ? OpenedPayloadFile(try PayloadFileReader(path: payload.path, keyring: dataKeys)) : nil
        let size = try inMemory.map { Int64($0.count) } ?? PayloadFileReader.plaintextSize(path: payload.path, sealed: dataKeys != nil)
        let path = "/v1/resources/\(escape(resource))/batches"
        return try await retrying(path) {
            var request = request(.POST, path)
            request.headers.add(name: ExchangeAPI.manifestHeader, value: manifestBase64)
            request.headers.add(name: ExchangeAPI.signatureHeader, value: signatureBase64)
            request.headers.add(name: "Content-Type", value: "application/octet-stream")
            if let inMemory {
                request.body = .stream(inMemory, length: .known(size))
            } else {
                request.body = .stream(FileChunks(url: payload, keyring: dataKeys, opened: opened), length: .known(size))
            }
            let response = try await Self.http.execute(request, timeout: .hours(2))
            let body = try await response.body.collect(upTo: Self.maxJSONBytes)
            try check(response.status, body)
            return try decode(ExchangeAPI.BatchOutcome.self, body, path)
        }
    }

    /// Downloads one delivery to `file` (sealed under the agent's data key); returns its manifest and signature
    /// headers, and the provider's manifest it was projected from with the time its batch was accepted.
    /// A delivery of at most `memoryLimit` bytes stays in memory (`PulledDelivery.payload`) and is not written.
    func pullBatch(agreement: String, sequence: Int64, to file: URL, memoryLimit: Int = 0) async throws -> PulledDelivery {
        let names = [ExchangeAPI.providerManifestHeader, ExchangeAPI.acceptedAtHeader]
        let pulled = try await download("/v1/agreements/\(escape(agreement))/batches/\(sequence)", to: file,
                                        what: "delivery \(agreement)#\(sequence)", alsoReading: names, memoryLimit: memoryLimit)
        return PulledDelivery(manifest: pulled.manifest, signature: pulled.signature,
                              providerManifest: pulled.headers[ExchangeAPI.providerManifestHeader],
                              acceptedAt: pulled.headers[ExchangeAPI.acceptedAtHeader], payload: pulled.payload)
    }

    /// The headers that came with a downloaded delivery, and where its payload is.
    struct PulledDelivery: Sendable {
        var manifest: String
        var signature: String
        var providerManifest: String?
        var acceptedAt: String?
        var payload: DownloadedPayload
    }

    func json(_ method: HTTPMethod, _ path: String, body: Data?) async throws -> ByteBuffer {
        try await retrying(path) {
            var request = request(method, path)
            if let body {
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(bytes: body))
            }
            let response = try await Self.http.execute(request, timeout: .seconds(120))
            let bytes = try await response.body.collect(upTo: Self.maxJSONBytes)
            try check(response.status, bytes)
            return bytes
        }
    }

    func request(_ method: HTTPMethod, _ path: String) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.tlsConfiguration = tls
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        return request
    }

    func check(_ status: HTTPResponseStatus, _ body: ByteBuffer) throws {
        guard !(200..<300).contains(status.code) else { return }
        struct ErrorBody: Decodable { var error: String; var field: String? }
        let data = Data(body.readableBytesView)
        let parsed = try? JSONDecoder().decode(ErrorBody.self, from: data)
        let error = AgentError.hubAnswer(status: Int(status.code), message: parsed?.error ?? String(decoding: data.prefix(300), as: UTF8.self),
                                         field: parsed?.field)
        if status.code >= 500 { throw Retryable(error: error) }
        throw error
    }

    /// Runs `operation`, retrying network failures and 5xx with backoff.
    func retrying<T>(_ what: String, _ operation: () async throws -> T) async throws -> T {
        var delay = firstBackoff
        for attempt in 1...attempts {
            do {
                return try await operation()
            } catch let error as AgentError {
                throw error
            } catch {
                let reason = (error as? Retryable).map { "\($0.error)" } ?? "\(error)"
                guard attempt < attempts else {
                    if let retryable = error as? Retryable { throw retryable.error }
                    throw AgentError.hubUnreachable(url: baseURL, reason: reason)
                }
                logger.warning("\(what): attempt \(attempt) of \(attempts) failed (\(reason)); retrying in \(delay) s")
                try await Task.sleep(for: .milliseconds(Int(delay * 1000)))
                delay *= 2
            }
        }
        preconditionFailure("unreachable")
    }

    func decode<T: Decodable>(_ type: T.Type, _ body: ByteBuffer, _ path: String) throws -> T {
        do { return try JSONDecoder().decode(T.self, from: Data(body.readableBytesView)) } catch {
            throw AgentError.hubAnswer(status: 200, message: "unexpected answer from \(path): \(error)", field: nil)
        }
    }

    func escape(_ component: String) -> String {
        component.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? component
    }

    struct Retryable: Error { let error: AgentError }
}

/// A payload file (sealed or plain) read as an async sequence of chunks, to stream a batch to the hub without
/// loading it.
struct FileChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let url: URL
    let keyring: DataKeyring?
    /// A reader already open on `url`, for the first stream made (a retry opens the file again).
    var opened: OpenedPayloadFile? = nil

    struct AsyncIterator: AsyncIteratorProtocol {
        let url: URL
        let keyring: DataKeyring?
        let opened: OpenedPayloadFile?
        var reader: PayloadFileReader?

        mutating func next() async throws -> ByteBuffer? {
            if reader == nil { reader = try opened?.take() ?? PayloadFileReader(path: url.path, keyring: keyring) }
            let chunk = try reader!.read(upTo: 256 * 1024)
            guard !chunk.isEmpty else {
                reader?.close()
                return nil
            }
            return ByteBuffer(bytes: chunk)
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(url: url, keyring: keyring, opened: opened) }
}

/// A payload in memory, sent in the pieces it was written in (a spooled batch's) or in 256 KiB slices of one
/// array, so sending it holds one piece beside it rather than a second copy.
struct MemoryChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    private let pieces: [[UInt8]]
    private let bytes: [UInt8]

    init(pieces: [[UInt8]]) {
        self.pieces = pieces
        bytes = []
    }

    init(bytes: [UInt8]) {
        pieces = []
        self.bytes = bytes
    }

    /// Bytes in all.
    var count: Int { pieces.reduce(bytes.count) { $0 + $1.count } }

    struct AsyncIterator: AsyncIteratorProtocol {
        let pieces: [[UInt8]]
        let bytes: [UInt8]
        var piece = 0
        var offset = 0

        mutating func next() async -> ByteBuffer? {
            if piece < pieces.count {
                defer { piece += 1 }
                return ByteBuffer(bytes: pieces[piece])
            }
            guard offset < bytes.count else { return nil }
            let end = Swift.min(bytes.count, offset + 256 * 1024)
            defer { offset = end }
            return ByteBuffer(bytes: bytes[offset..<end])
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(pieces: pieces, bytes: bytes) }
}

/// A payload file opened (and so its seal checked) before its request, handed to the first stream that asks.
/// Unchecked: the reader is only touched under the lock, and once taken belongs to the one stream that took it.
final class OpenedPayloadFile: @unchecked Sendable {
    private let lock = NIOLock()
    private var reader: PayloadFileReader?

    init(_ reader: PayloadFileReader) {
        self.reader = reader
    }

    /// The reader, once; nil afterwards.
    func take() -> PayloadFileReader? {
        lock.withLock {
            defer { reader = nil }
            return reader
        }
    }
}
