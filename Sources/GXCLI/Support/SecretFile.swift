import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes files that must stay private (private keys, tokens): created with mode 0600 from the
/// start, never world-readable even for an instant, and never silently overwritten.
enum SecretFile {
    /// `existing` says what to do about a file already there (the commands with a `--force` say so).
    static func write(_ text: String, to path: String, overwrite: Bool = false, existing: String = "remove it or choose another path") throws {
        var flags = O_WRONLY | O_CREAT | O_TRUNC
        if !overwrite { flags |= O_EXCL }
        let fd = try open(path, flags: flags, existing: existing)
        defer { close(fd) }
        try write(text, to: fd, path: path)
    }

    /// Creates the file (0600, empty, never over an existing one) before the secret it will hold exists: a
    /// command that asks the hub for a credential checks where the token goes first, so no credential is
    /// ever issued that no file holds.
    static func reserve(_ path: String) throws -> ReservedSecretFile {
        ReservedSecretFile(path: path, descriptor: try open(path, flags: O_WRONLY | O_CREAT | O_EXCL,
                                                            existing: "refusing to overwrite a secret; nothing was asked of the hub: remove it or choose another path"))
    }

    private static func open(_ path: String, flags: Int32, existing: String) throws -> Int32 {
        let fd = Glibc.open(path, flags, 0o600)
        guard fd >= 0 else {
            let reason = String(cString: strerror(errno))
            throw CLIError(errno == EEXIST ? "\(path) already exists; \(existing)" : "cannot create \(path): \(reason)")
        }
        _ = fchmod(fd, 0o600)
        return fd
    }

    fileprivate static func write(_ text: String, to fd: Int32, path: String) throws {
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(fd) == 0 else { throw CLIError("cannot write \(path): \(String(cString: strerror(errno)))") }
    }

    static func read(_ path: String) throws -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw CLIError("cannot read \(path)") }
        return text
    }
}

/// A secret file created empty, to be filled once the secret exists, or removed if it never comes.
final class ReservedSecretFile {
    let path: String
    private var descriptor: Int32?

    fileprivate init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    /// Writes the secret and closes the file; `recovery` says how to get the secret again if writing fails.
    func fill(_ text: String, recovery: String) throws {
        guard let fd = descriptor else { return }
        descriptor = nil
        defer { close(fd) }
        do {
            try SecretFile.write(text, to: fd, path: path)
        } catch {
            throw CLIError("\(error); \(recovery)")
        }
    }

    /// Removes the empty file: the secret was never issued.
    func abandon() {
        guard let fd = descriptor else { return }
        descriptor = nil
        close(fd)
        unlink(path)
    }

    deinit { abandon() }
}

/// An error the CLI reports as one line and exit code 1.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
