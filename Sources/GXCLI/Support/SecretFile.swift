import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes files that must stay private (private keys, tokens): created with mode 0600 from the
/// start, never world-readable even for an instant, and never silently overwritten.
enum SecretFile {
    static func write(_ text: String, to path: String, overwrite: Bool = false) throws {
        var flags = O_WRONLY | O_CREAT | O_TRUNC
        if !overwrite { flags |= O_EXCL }
        let fd = open(path, flags, 0o600)
        guard fd >= 0 else {
            let reason = String(cString: strerror(errno))
            throw CLIError(errno == EEXIST ? "\(path) already exists; refusing to overwrite a secret (use --force)" : "cannot create \(path): \(reason)")
        }
        defer { close(fd) }
        _ = fchmod(fd, 0o600)
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw CLIError("cannot write \(path)") }
    }

    static func read(_ path: String) throws -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw CLIError("cannot read \(path)") }
        return text
    }
}

/// An error the CLI reports as one line and exit code 1.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
