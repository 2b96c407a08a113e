import COpenSSL

extension CryptoError {
    /// Builds an `.openssl` error from the calling thread's OpenSSL error queue, emptying it so a stale
    /// entry cannot be blamed on a later, unrelated operation.
    static func openssl(_ operation: String) -> CryptoError {
        .openssl(operation: operation, detail: drainOpenSSLErrors() ?? "no detail from OpenSSL")
    }

    /// The queued OpenSSL errors, oldest first, joined; nil when the queue was empty.
    static func drainOpenSSLErrors() -> String? {
        var messages: [String] = []
        var buffer = [CChar](repeating: 0, count: 256)
        while case let code = ERR_get_error(), code != 0 {
            ERR_error_string_n(code, &buffer, buffer.count)
            messages.append(String(decoding: buffer.prefix { $0 != 0 }.map(UInt8.init(bitPattern:)), as: UTF8.self))
        }
        return messages.isEmpty ? nil : messages.joined(separator: "; ")
    }
}
