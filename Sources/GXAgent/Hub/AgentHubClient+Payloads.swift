import AsyncHTTPClient
import Foundation
import GXCrypto
import GXDomain
import NIOCore
import NIOHTTP1

extension AgentHubClient {
    /// Pushes a payload to `path` with its signed manifest in the headers: `inMemory` when the caller kept the
    /// bytes it wrote to `payload`, else the file, streamed.
    func upload<T: Decodable>(_ path: String, manifestBase64: String, signatureBase64: String, payload: URL, inMemory: [UInt8]? = nil,
                              as type: T.Type = T.self) async throws -> T {
        let size = try inMemory.map { Int64($0.count) } ?? PayloadFileReader.plaintextSize(path: payload.path, sealed: dataKeys != nil)
        return try await retrying(path) {
            var request = request(.POST, path)
            request.headers.add(name: ExchangeAPI.manifestHeader, value: manifestBase64)
            request.headers.add(name: ExchangeAPI.signatureHeader, value: signatureBase64)
            request.headers.add(name: "Content-Type", value: "application/octet-stream")
            if let inMemory {
                request.body = .stream(MemoryChunks(bytes: inMemory), length: .known(size))
            } else {
                request.body = .stream(FileChunks(url: payload, keyring: dataKeys), length: .known(size))
            }
            let response = try await Self.http.execute(request, timeout: .hours(2))
            let body = try await response.body.collect(upTo: Self.maxJSONBytes)
            try check(response.status, body)
            return try decode(T.self, body, path)
        }
    }

    /// Downloads the payload at `path` to `file` (mode 0600, sealed under the agent's data key when it has one);
    /// returns its manifest and signature headers. A file left by an interrupted attempt is replaced.
    func download(_ path: String, to file: URL, what: String) async throws -> (manifest: String, signature: String) {
        let downloaded = try await download(path, to: file, what: what, alsoReading: [])
        return (downloaded.manifest, downloaded.signature)
    }

    /// As `download(_:to:what:)`, also returning the response headers named in `extra` that were present. A
    /// payload of at most `memoryLimit` bytes is kept in memory instead and never written: records that are
    /// applied at once and fetched again after a crash do not rest on disk, and are not sealed and opened again.
    func download(_ path: String, to file: URL, what: String, alsoReading extra: [String],
                  memoryLimit: Int = 0) async throws -> (manifest: String, signature: String, headers: [String: String], payload: DownloadedPayload) {
        try await retrying(path) {
            let response = try await Self.http.execute(request(.GET, path), timeout: .hours(2))
            guard response.status == .ok else {
                let body = try await response.body.collect(upTo: Self.maxJSONBytes)
                try check(response.status, body)
                throw AgentError.hubAnswer(status: Int(response.status.code), message: "unexpected answer", field: nil)
            }
            guard let manifest = response.headers.first(name: ExchangeAPI.manifestHeader),
                  let signature = response.headers.first(name: ExchangeAPI.signatureHeader) else {
                throw AgentError.verification(what: what, reason: "the hub sent no signed manifest")
            }
            var held: [UInt8]? = memoryLimit > 0 ? [] : nil
            var output: PayloadFileWriter?
            var complete = false
            defer { if !complete { output?.abandon() } }
            for try await chunk in response.body {
                if held != nil, held!.count + chunk.readableBytes <= memoryLimit {
                    held!.append(contentsOf: chunk.readableBytesView)
                    continue
                }
                if output == nil {
                    output = try createFile(file, what: what)
                    if let bytes = held { try output!.write(bytes) }
                    held = nil
                }
                try output!.write(chunk.readableBytesView)
            }
            if held == nil, output == nil { output = try createFile(file, what: what) }
            try output?.finish()
            complete = true
            var headers: [String: String] = [:]
            for name in extra { headers[name] = response.headers.first(name: name) }
            return (manifest, signature, headers, held.map { .memory($0) } ?? .file(file))
        }
    }

    /// A new payload file at `file` (mode 0600, sealed when the agent has a data key), replacing one left by an
    /// interrupted attempt.
    private func createFile(_ file: URL, what: String) throws -> PayloadFileWriter {
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        unlink(file.path)
        do { return try PayloadFileWriter(path: file.path, sealingWith: dataKeys?.current) } catch {
            throw AgentError.localData("cannot create \(file.path) for \(what): \(error)")
        }
    }
}

/// A downloaded payload: in memory, or in its (sealed) file.
enum DownloadedPayload: Sendable {
    case memory([UInt8])
    case file(URL)
}
