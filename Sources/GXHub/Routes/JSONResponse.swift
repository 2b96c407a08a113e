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
    /// Reads a bounded JSON body; a bad one is a 400 naming the field, an oversized one a 413, one that does
    /// not say it is JSON a 415. An empty body is `whenEmpty` where the route takes an optional body.
    func decodeBody<T: Decodable>(_ type: T.Type, context: HubRequestContext, whenEmpty: T? = nil) async throws -> T {
        let buffer: ByteBuffer
        do {
            buffer = try await body.collect(upTo: context.maxUploadSize)
        } catch {
            throw HubAPIError(.contentTooLarge, "request body exceeds \(context.maxUploadSize) bytes")
        }
        if buffer.readableBytes == 0, let whenEmpty { return whenEmpty }
        let mediaType = headers[.contentType]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        guard mediaType == "application/json" else {
            throw HubAPIError(.unsupportedMediaType, "send the body as Content-Type: application/json", field: "Content-Type")
        }
        let bytes = [UInt8](buffer.readableBytesView)
        if let problem = JSONBodyCheck.problem(in: bytes) {
            throw HubAPIError(.badRequest, problem.message, field: problem.field)
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw HubAPIError(.badRequest, error.plainReason, field: error.fieldPath)
        } catch let error as InvalidInput {
            throw error
        } catch {
            throw HubAPIError(.badRequest, "request body is not a valid document")
        }
    }
}
