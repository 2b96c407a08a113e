import AsyncHTTPClient
import Foundation
import GXHub
import NIOCore
import NIOHTTP1
import NIOSSL

/// A client of the hub's JSON API, as used by the admin, auditor and agent commands.
struct HubClient: Sendable {
    let baseURL: String
    let token: String
    /// Set for an HTTPS hub with its own CA or mutual TLS.
    var tls: TLSConfiguration?
    var timeout: TimeAmount = .seconds(60)
    static let maxResponseBytes = 64 << 20

    func get<T: Decodable>(_ path: String, as type: T.Type = T.self) async throws -> T {
        try decode(T.self, try await send(.GET, path, body: nil))
    }

    func post<T: Decodable>(_ path: String, _ body: some Encodable, as type: T.Type = T.self) async throws -> T {
        try decode(T.self, try await send(.POST, path, body: try JSONEncoder().encode(body)))
    }

    func put<T: Decodable>(_ path: String, _ body: some Encodable, as type: T.Type = T.self) async throws -> T {
        try decode(T.self, try await send(.PUT, path, body: try JSONEncoder().encode(body)))
    }

    /// Streams a response body to `handle` chunk by chunk, for exports larger than memory.
    func download(_ path: String, into handle: FileHandle) async throws {
        let response = try await execute(.GET, path, body: nil)
        guard response.status == .ok else {
            let body = try await response.body.collect(upTo: 1 << 20)
            throw HubClientError.from(status: response.status, body: Data(buffer: body))
        }
        for try await chunk in response.body {
            handle.write(Data(buffer: chunk))
        }
    }

    func send(_ method: HTTPMethod, _ path: String, body: Data?) async throws -> Data {
        let response = try await execute(method, path, body: body)
        let bytes = try await response.body.collect(upTo: Self.maxResponseBytes)
        let data = Data(buffer: bytes)
        guard (200..<300).contains(response.status.code) else {
            throw HubClientError.from(status: response.status, body: data)
        }
        return data
    }

    func execute(_ method: HTTPMethod, _ path: String, body: Data?) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.tlsConfiguration = tls
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        do {
            return try await HTTPClient.shared.execute(request, timeout: timeout)
        } catch {
            throw HubClientError.unreachable(url: baseURL, reason: "\(error)")
        }
    }

    func decode<T: Decodable>(_ type: T.Type, _ data: Data) throws -> T {
        do { return try JSONDecoder().decode(T.self, from: data) } catch {
            throw HubClientError.unexpectedResponse(reason: "\(error)")
        }
    }
}

/// What went wrong talking to the hub, in terms an operator can act on.
enum HubClientError: Error, CustomStringConvertible {
    case refused(status: Int, message: String, field: String?)
    case unreachable(url: String, reason: String)
    case unexpectedResponse(reason: String)

    static func from(status: HTTPResponseStatus, body: Data) -> HubClientError {
        if let error = try? JSONDecoder().decode(HubAPI.ErrorBody.self, from: body) {
            return .refused(status: Int(status.code), message: error.error, field: error.field)
        }
        return .refused(status: Int(status.code), message: String(decoding: body.prefix(500), as: UTF8.self), field: nil)
    }

    var description: String {
        switch self {
        case let .refused(status, message, field):
            return "hub refused (\(status)): \(message)" + (field.map { " [field: \($0)]" } ?? "")
        case let .unreachable(url, reason):
            return "cannot reach the hub at \(url): \(reason)"
        case let .unexpectedResponse(reason):
            return "unexpected response from the hub: \(reason)"
        }
    }
}
