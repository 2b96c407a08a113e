import AsyncHTTPClient
import Foundation
import GXDomain
import NIOCore
import NIOHTTP1

extension AgentHubClient {
    /// Pushes a payload file to `path` with its signed manifest in the headers, streaming the file.
    func upload<T: Decodable>(_ path: String, manifestBase64: String, signatureBase64: String, payload: URL, as type: T.Type = T.self) async throws -> T {
        let size = try FileManager.default.attributesOfItem(atPath: payload.path)[.size] as? Int ?? 0
        return try await retrying(path) {
            var request = request(.POST, path)
            request.headers.add(name: ExchangeAPI.manifestHeader, value: manifestBase64)
            request.headers.add(name: ExchangeAPI.signatureHeader, value: signatureBase64)
            request.headers.add(name: "Content-Type", value: "application/octet-stream")
            request.body = .stream(FileChunks(url: payload, keyring: nil), length: .known(Int64(size)))
            let response = try await Self.http.execute(request, timeout: .hours(2))
            let body = try await response.body.collect(upTo: Self.maxJSONBytes)
            try check(response.status, body)
            return try decode(T.self, body, path)
        }
    }

    /// Downloads the payload at `path` to `file` (mode 0600); returns its manifest and signature headers.
    func download(_ path: String, to file: URL, what: String) async throws -> (manifest: String, signature: String) {
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
            guard FileManager.default.createFile(atPath: file.path, contents: nil, attributes: Agent.recordFileAttributes) else {
                throw AgentError.localData("cannot create \(file.path) for \(what)")
            }
            let handle = try FileHandle(forWritingTo: file)
            defer { try? handle.close() }
            for try await chunk in response.body {
                try handle.write(contentsOf: Data(chunk.readableBytesView))
            }
            try handle.synchronize()
            return (manifest, signature)
        }
    }
}
