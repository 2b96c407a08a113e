import Foundation

extension CanonicalJSON {
    /// The JSON form of any `Encodable` (a manifest, a config), ready for ``canonicalBytes``.
    ///
    /// Goes through Foundation's `JSONEncoder` and back, so the type's `CodingKeys` and custom
    /// `encode(to:)` decide the content while this type decides the bytes. With the default
    /// strategies a `Date` or `Double` property throws, by design (see ``CanonicalJSON``):
    /// encode dates as text in the type, or pass an encoder configured to do so.
    public init(encoding value: some Encodable, with encoder: JSONEncoder = JSONEncoder()) throws {
        let data = try encoder.encode(value)
        self = try JSONDecoder().decode(CanonicalJSON.self, from: data)
    }

    /// Decodes a JSON document (any whitespace or member order) into its canonical value.
    ///
    /// RFC 8785 expects input without repeated member names; Foundation's decoder silently keeps
    /// the first of them. That is safe for signatures, which cover the bytes of the decoded
    /// value, but a party that must reject such documents has to check the raw text itself.
    public init(jsonData data: Data) throws {
        self = try JSONDecoder().decode(CanonicalJSON.self, from: data)
    }
}
