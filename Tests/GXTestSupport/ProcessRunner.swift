import Foundation

/// Runs real processes (gx, openssl, the quickstart script) the way an operator would.
public struct ProcessResult: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String
}

public enum ProcessRunner {
    /// Runs to completion, feeding `input` on standard input. Output goes to temporary files rather than
    /// pipes, so a background grandchild (the quickstart's hub) holding them open cannot hang the test.
    /// The process runs in its own session; past `timeout` the whole group is killed and the result
    /// says so, so a stuck process fails its test instead of the CI run.
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
                           input: String? = nil, directory: URL? = nil, timeout: Double = 600) async throws -> ProcessResult {
        try await blockingWork { try runBlocking(executable, arguments, environment: environment, input: input, directory: directory, timeout: timeout) }
    }

    /// `run`, waiting on the calling thread: only for a thread that is not the cooperative pool's.
    public static func runBlocking(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
                                   input: String? = nil, directory: URL? = nil, timeout: Double = 600) throws -> ProcessResult {
        let scratch = try temporaryDirectory("process")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("stdout"), errURL = scratch.appendingPathComponent("stderr")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let process = Process()
        if let setsid = which("setsid") {
            process.executableURL = URL(fileURLWithPath: setsid)
            process.arguments = ["--wait", executable] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
        }
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        if let directory { process.currentDirectoryURL = directory }
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        defer { try? out.close(); try? err.close() }
        let inp = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = inp
        try process.run()
        if let input { inp.fileHandleForWriting.write(Data(input.utf8)) }
        try inp.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(timeout)
        var timedOut = false
        while process.isRunning {
            if Date() > deadline {
                timedOut = true
                kill(-process.processIdentifier, SIGKILL)
                kill(process.processIdentifier, SIGKILL)
                break
            }
            usleep(10_000)
        }
        process.waitUntilExit()
        let stdout = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
        var stderr = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
        if timedOut { stderr += "\n[killed: \(executable) ran longer than \(Int(timeout)) s]" }
        return ProcessResult(status: timedOut ? -1 : process.terminationStatus, stdout: stdout, stderr: stderr)
    }

    /// Finds a program on PATH.
    public static func which(_ name: String) -> String? {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }
}

/// The `gx` binary built alongside the tests (or $GX_BIN).
public enum GXBinary {
    public static var path: String {
        if let explicit = ProcessInfo.processInfo.environment["GX_BIN"] { return explicit }
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        // swift-testing may run from inside the .xctest bundle directory.
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("gx").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return SampleDocuments.root.appendingPathComponent(".build/debug/gx").path
    }

    public static func run(_ arguments: [String], environment: [String: String] = [:], input: String? = nil) async throws -> ProcessResult {
        try await ProcessRunner.run(path, arguments, environment: environment, input: input, directory: SampleDocuments.root)
    }
}

/// A fresh temporary directory for one test.
public func temporaryDirectory(_ label: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("gx-\(label)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
