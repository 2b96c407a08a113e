import Foundation
import GXDomain
import GXStorage
import Hummingbird

/// An error answered as `{"error": …, "field": …}` with the right status.
public struct HubAPIError: HTTPResponseError, CustomStringConvertible {
    public let status: HTTPResponse.Status
    public let message: String
    public let field: String?

    public init(_ status: HTTPResponse.Status, _ message: String, field: String? = nil) {
        self.status = status
        self.message = message
        self.field = field
    }

    public var description: String { "\(status.code) \(message)" }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = try JSONEncoder().encode(HubAPI.ErrorBody(error: message, field: field))
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    static let unauthenticated = HubAPIError(.unauthorized, "a valid bearer credential is required (Authorization: Bearer <token>)")

    static func forbidden(_ principal: Principal, _ what: String) -> HubAPIError {
        HubAPIError(.forbidden, "\(principal) may not \(what)")
    }

    /// Maps domain and store errors to statuses; anything unknown is a 500 whose details stay in the log.
    static func from(_ error: any Error) -> HubAPIError? {
        switch error {
        case let error as HubAPIError:
            return error
        case let error as InvalidInput:
            return HubAPIError(.badRequest, error.record.map { "\($0): \(error.reason)" } ?? error.reason, field: error.field)
        case let error as AgreementError:
            switch error {
            case .illegalTransition, .outsideValidity: return HubAPIError(.conflict, error.description)
            case .notAmendable, .amendmentPending, .noAmendment, .amendmentOutOfTurn: return HubAPIError(.conflict, error.description, field: "amendment")
            case .wrongSigner: return HubAPIError(.forbidden, error.description)
            case .badSignature, .digestMismatch: return HubAPIError(.unprocessableContent, error.description, field: "signature")
            }
        case let error as KeyRevoked:
            return HubAPIError(.unprocessableContent, error.description, field: "signature")
        case let error as DemandError:
            switch error {
            case .illegalTransition: return HubAPIError(.conflict, error.description)
            case .wrongParty: return HubAPIError(.forbidden, error.description)
            }
        case let error as ObjectionError:
            switch error {
            case .illegalTransition: return HubAPIError(.conflict, error.description)
            case .wrongParty: return HubAPIError(.forbidden, error.description)
            }
        case let error as StoreError:
            switch error {
            case .duplicate, .conflict, .nameTaken: return HubAPIError(.conflict, error.description)
            case .notFound: return HubAPIError(.notFound, error.description)
            case .migrationsAhead: return HubAPIError(.serviceUnavailable, error.description)
            // The reason names the database (host, user, name) and the server's words: the log has it, the
            // caller learns only to try again later.
            case .unavailable: return HubAPIError(.serviceUnavailable, "the hub's store is unavailable; try again later (the hub log has details)")
            }
        case let error as HTTPError:
            return HubAPIError(error.status, error.body ?? error.status.reasonPhrase)
        default:
            return nil
        }
    }
}
