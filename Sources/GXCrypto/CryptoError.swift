/// Why a cryptographic operation failed, phrased so the operator knows what to change.
public enum CryptoError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The text is not a usable key of the expected kind; `reason` says what was found and what to pass instead.
    case invalidKey(reason: String)
    /// A well-formed key of another algorithm (P-256, RSA, Ed25519, …): the exchange signs with SM2 only.
    case notSM2Key
    /// OpenSSL refused an operation; `detail` is its error queue (`ERR_error_string` text).
    case openssl(operation: String, detail: String)
    case fileUnreadable(path: String, reason: String)
    /// A payload at rest that is not a sealed file this keyring opens, or whose tag does not match: never used.
    case sealedFileRefused(path: String, reason: String)

    public var description: String {
        switch self {
        case let .invalidKey(reason):
            return "invalid key: \(reason)"
        case .notSM2Key:
            return "the key is not an SM2 key; create one with `gx keys generate` or `openssl genpkey -algorithm SM2`"
        case let .openssl(operation, detail):
            return "OpenSSL \(operation) failed: \(detail)"
        case let .fileUnreadable(path, reason):
            return "cannot read \(path): \(reason)"
        case let .sealedFileRefused(path, reason):
            return "refused \(path): \(reason)"
        }
    }
}
