import AsyncHTTPClient
import Foundation
import GXCrypto
import GXDomain
import NIOCore
import NIOHTTP1

extension AgentHubClient {
    /// Pushes a payload file to `path` with its signed manifest in the headers, streaming the file.
    func upload<T: Decodable>(_ path: String, manifestBase64: String, signatureBase64: String, payload: URL, as type: T.Type = T.self) async throws -> T {
        let size = try PayloadFileReader(path: payload.path, keyring: dataKeys).size
        return try await retrying(path) {
            var request = request(.POST, path)
            request.headers.add(name: ExchangeAPI.manifestHeader, value: manifestBase64)
            request.headers.add(name: ExchangeAPI.signatureHeader, value: signatureBase64)
            request.headers.add(name: "Content-Type", value: "application/octet-stream")
            request.body = .stream(FileChunks(url: payload, keyring: dataKeys), length: .known(size))
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

    /// As `download(_:to:what:)`, also returning the response headers named in `extra` that were present.
    func download(_ path: String, to file: URL, what: String,
                  alsoReading extra: [String]) async throws -> (manifest: String, signature: String, headers: [String: String]) {
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
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            unlink(file.path)
            let output: PayloadFileWriter
            do { output = try PayloadFileWriter(path: file.path, sealingWith: dataKeys?.current) } catch {
                throw AgentError.localData("cannot create \(file.path) for \(what): \(error)")
            }
            var complete = false
            defer { if !complete { output.abandon() } }
            for try await chunk in response.body {
                try output.write(chunk.readableBytesView)
            }
            try output.finish()
            complete = true
            var headers: [String: String] = [:]
            for name in extra { headers[name] = response.headers.first(name: name) }
            return (manifest, signature, headers)
        }
    }
}
