import Foundation

/// What a finished command printed and how it exited.
struct CommandResult {
    let status: Int32
    let stdout: String
    let stderr: String
}

/// A fresh directory for one test's files, removed when the test lets go of it.
final class ScratchDirectory {
    let url: URL

    init(_ label: String = #function) throws {
        let name = "gxcrypto-\(label.prefix { $0.isLetter || $0.isNumber })-\(UUID().uuidString)"
        url = FileManager.default.temporaryDirectory.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    func write(_ bytes: [UInt8], to name: String) throws {
        try Data(bytes).write(to: url.appendingPathComponent(name))
    }

    func write(_ text: String, to name: String) throws {
        try write(Array(text.utf8), to: name)
    }

    func read(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: url.appendingPathComponent(name)))
    }

    func readText(_ name: String) throws -> String {
        String(decoding: try read(name), as: UTF8.self)
    }

    /// Runs `arguments[0]` (found on PATH) in this directory. Output goes to files rather than pipes,
    /// so a chatty tool can never block on a full pipe.
    @discardableResult
    func run(_ arguments: [String]) throws -> CommandResult {
        let id = UUID().uuidString
        let outURL = url.appendingPathComponent(".out-\(id)"), errURL = url.appendingPathComponent(".err-\(id)")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        defer {
            try? out.close(); try? err.close()
            try? FileManager.default.removeItem(at: outURL); try? FileManager.default.removeItem(at: errURL)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.currentDirectoryURL = url
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = out
        process.standardError = err
        try process.run()
        process.waitUntilExit()
        return CommandResult(status: process.terminationStatus,
                             stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
                             stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }

    /// Runs the `openssl` command line tool in this directory.
    @discardableResult
    func openssl(_ arguments: String...) throws -> CommandResult {
        try run(["openssl"] + arguments)
    }

    /// Like `openssl`, but throws with the tool's stderr if it exits non-zero.
    @discardableResult
    func opensslSucceeding(_ arguments: String...) throws -> CommandResult {
        let result = try run(["openssl"] + arguments)
        guard result.status == 0 else {
            throw CommandFailure(command: "openssl " + arguments.joined(separator: " "), result: result)
        }
        return result
    }

    /// The digest `openssl dgst -sm3` prints for a file in this directory.
    func opensslSM3(_ name: String) throws -> String {
        let output = try opensslSucceeding("dgst", "-sm3", "-r", name).stdout
        return String(output.prefix { !$0.isWhitespace })
    }
}

/// A helper command that should have succeeded.
struct CommandFailure: Error, CustomStringConvertible {
    let command: String
    let result: CommandResult
    var description: String { "`\(command)` exited \(result.status): \(result.stderr)" }
}
