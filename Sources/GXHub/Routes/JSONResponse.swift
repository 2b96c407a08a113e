import Foundation
import GXDomain
import Hummingbird

enum JSONResponse {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static func make<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }
}

extension Request {
    /// Reads a bounded JSON body; a bad one is a 400 naming the field, an oversized one a 413.
    func decodeBody<T: Decodable>(_ type: T.Type, context: HubRequestContext) async throws -> T {
        let buffer: ByteBuffer
        do {
            buffer = try await body.collect(upTo: context.maxUploadSize)
        } catch {
            throw HubAPIError(.contentTooLarge, "request body exceeds \(context.maxUploadSize) bytes")
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch let error as DecodingError {
            throw HubAPIError.decoding(error)
        } catch {
            throw HubAPIError(.badRequest, "request body is not valid JSON: \(error)")
        }
    }

    func query(_ name: String) -> String? { uri.queryParameters.get(name) }
}

extension HubAPIError {
    static func decoding(_ error: DecodingError) -> HubAPIError {
        func path(_ keys: [any CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case let .keyNotFound(key, context):
            return HubAPIError(.badRequest, "missing field", field: path(context.codingPath + [key]))
        case let .typeMismatch(type, context):
            return HubAPIError(.badRequest, "wrong type, expected \(type)", field: path(context.codingPath))
        case let .valueNotFound(type, context):
            return HubAPIError(.badRequest, "missing value, expected \(type)", field: path(context.codingPath))
        case let .dataCorrupted(context):
            let field = path(context.codingPath)
            return HubAPIError(.badRequest, field.isEmpty ? "request body is not valid JSON" : context.debugDescription, field: field.isEmpty ? nil : field)
        @unknown default:
            return HubAPIError(.badRequest, "\(error)")
        }
    }
}
