import Foundation

/// How both stores keep documents in text columns: JSON with sorted keys, and signed documents as the exact
/// canonical bytes (base64) so they can be served and re-verified unchanged.
enum StoreCoding {
    static let jsonEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    static func encode<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try jsonEncoder.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(text.utf8))
    }

    static func decodeBase64<T: Decodable>(_ type: T.Type, _ base64: String) throws -> T {
        guard let data = Data(base64Encoded: base64) else { throw StoreError.unavailable(reason: "corrupt stored document") }
        return try JSONDecoder().decode(T.self, from: data)
    }
}
