import GXCrypto

/// Bearer tokens: 256 random bits, shown once, stored as their SM3 only.
public enum Credentials {
    public static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return "gx_" + bytes.map { String($0, radix: 16).leftPadded(2) }.joined()
    }

    /// High-entropy tokens need no slow KDF: a preimage-resistant hash is enough.
    public static func hash(of token: String) -> String {
        SM3.digest(token).hex
    }

    /// How a credential is named where its holder and the authority can both see it (listing, revoking one,
    /// the audit log): the first 16 hex digits of its token's SM3. Neither the token nor the full hash the
    /// hub looks tokens up by.
    public static func id(ofHash tokenHash: String) -> String { String(tokenHash.prefix(16)) }

    public static func id(of token: String) -> String { id(ofHash: hash(of: token)) }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
