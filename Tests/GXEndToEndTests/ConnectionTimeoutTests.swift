import Foundation
import GXTestSupport
import Testing

/// A raw TCP connection to a hub process, for what HTTP clients never do: send headers a byte at a time,
/// say nothing at all, or send a header of 100 KB.
final class RawConnection: @unchecked Sendable {
    let socket: Int32

    init(port: Int) throws {
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw RawConnectionError("connect failed: errno \(errno)") }
        // Reads give up after 200 ms, so a test can poll whether the hub has closed the connection.
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(socket) }

    /// False once the hub has closed the connection.
    func send(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == bytes.count
    }

    /// What arrived within 200 ms; nil when the hub closed the connection (end of stream or reset).
    func receive() -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 65536)
        let count = buffer.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
        if count > 0 { return Array(buffer.prefix(count)) }
        if count < 0, errno == EAGAIN || errno == EWOULDBLOCK { return [] }
        return nil
    }

    /// Everything the hub sends until it closes the connection, or until `limit` passes.
    func readUntilClosed(limit: Duration) -> (bytes: [UInt8], closed: Bool) {
        let deadline = ContinuousClock.now + limit
        var bytes: [UInt8] = []
        while ContinuousClock.now < deadline {
            guard let chunk = receive() else { return (bytes, true) }
            bytes += chunk
        }
        return (bytes, false)
    }
}

struct RawConnectionError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

@Suite("Slow clients cannot hold a hub's connections")
struct ConnectionTimeoutTests {
    /// A hub on a copy of the quickstart's state, with a 1 s header-read and 2 s idle timeout.
    func hubWithShortTimeouts(environment: [String: String] = [:]) async throws -> (HubProcess, Quickstart.Run) {
        let run = try await Quickstart.run()
        let dir = try temporaryDirectory("timeouts")
        try FileManager.default.copyItem(atPath: run.hubDatabase, toPath: dir.appendingPathComponent("hub.sqlite").path)
        try FileManager.default.copyItem(atPath: run.state.appendingPathComponent("hub/hub.key").path, toPath: dir.appendingPathComponent("hub.key").path)
        let hub = try await HubProcess(database: dir.appendingPathComponent("hub.sqlite").path, directory: dir,
                                       environment: ["GX_HUB_HEADER_TIMEOUT_SECONDS": "1", "GX_HUB_IDLE_TIMEOUT_SECONDS": "2"].merging(environment) { $1 })
        return (hub, run)
    }

    @Test("headers sent a line at a time are cut off at the header-read timeout")
    func slowHeadersAreClosed() async throws {
        let (hub, _) = try await hubWithShortTimeouts()
        defer { hub.stop() }
        let connection = try RawConnection(port: hub.port)
        let start = ContinuousClock.now
        #expect(connection.send("GET /healthz HTTP/1.1\r\nHost: hub\r\n"))
        var closedAfter: Duration?
        for line in 0..<300 {
            try await Task.sleep(for: .milliseconds(100))
            if connection.receive() == nil || !connection.send("X-Slow-\(line): a\r\n") {
                closedAfter = ContinuousClock.now - start
                break
            }
        }
        let elapsed = try #require(closedAfter, "the hub kept a connection sending headers for over 30 s")
        // Loose upper bound: the client would go on for 30 s; a loaded machine delays the close by seconds.
        #expect(elapsed >= .milliseconds(900) && elapsed < .seconds(20), "closed after \(elapsed)")
    }

    @Test("a connection that sends nothing is closed")
    func silentConnectionIsClosed() async throws {
        let (hub, _) = try await hubWithShortTimeouts()
        defer { hub.stop() }
        let connection = try RawConnection(port: hub.port)
        let (bytes, closed) = connection.readUntilClosed(limit: .seconds(30))
        #expect(closed)
        #expect(bytes.isEmpty)
    }

    @Test("a body that stops arriving is cut off at the idle timeout")
    func stalledBodyIsClosed() async throws {
        let (hub, run) = try await hubWithShortTimeouts()
        defer { hub.stop() }
        let token = try String(contentsOfFile: run.adminToken, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let connection = try RawConnection(port: hub.port)
        #expect(connection.send("POST /v1/auditors HTTP/1.1\r\nHost: hub\r\nAuthorization: Bearer \(token)\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"na"))
        let start = ContinuousClock.now
        let (_, closed) = connection.readUntilClosed(limit: .seconds(30))
        let elapsed = ContinuousClock.now - start
        #expect(closed, "the hub kept a stalled body's connection for 30 s")
        #expect(elapsed >= .milliseconds(1800) && elapsed < .seconds(20), "closed after \(elapsed)")
    }

    @Test("a long poll longer than both timeouts still gets its answer")
    func longPollOutlivesTimeouts() async throws {
        let (hub, run) = try await hubWithShortTimeouts()
        defer { hub.stop() }
        let token = try String(contentsOfFile: run.agencyFile("11110000000021020F", "token"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let connection = try RawConnection(port: hub.port)
        let start = ContinuousClock.now
        #expect(connection.send("GET /v1/agreements/BJ-GX-2026-001/batches?after=999999999&wait=3 HTTP/1.1\r\nHost: hub\r\nAuthorization: Bearer \(token)\r\nConnection: close\r\n\r\n"))
        let (bytes, _) = connection.readUntilClosed(limit: .seconds(8))
        let answer = String(decoding: bytes, as: UTF8.self)
        #expect(answer.hasPrefix("HTTP/1.1 200"), "\(answer)")
        #expect(ContinuousClock.now - start >= .milliseconds(2900))
    }

    @Test("an over-long header is answered 431 with a JSON error")
    func overlongHeaderGetsJSON() async throws {
        let (hub, _) = try await hubWithShortTimeouts()
        defer { hub.stop() }
        let connection = try RawConnection(port: hub.port)
        _ = connection.send("GET /healthz HTTP/1.1\r\nHost: hub\r\nX-Big: \(String(repeating: "a", count: 100_000))\r\n\r\n")
        let (bytes, closed) = connection.readUntilClosed(limit: .seconds(3))
        let answer = String(decoding: bytes, as: UTF8.self)
        #expect(closed)
        #expect(answer.hasPrefix("HTTP/1.1 431"), "\(answer)")
        #expect(answer.lowercased().contains("content-type: application/json"))
        #expect(answer.contains(#"{"error":"#))
    }

    @Test("a connection beyond max_connections is answered 503 in JSON and closed; once a place frees, the next is served")
    func connectionLimit() async throws {
        let (hub, _) = try await hubWithShortTimeouts(environment: ["GX_HUB_HEADER_TIMEOUT_SECONDS": "30", "GX_HUB_MAX_CONNECTIONS": "3"])
        defer { hub.stop() }
        var held: [RawConnection] = []
        for _ in 0..<3 { held.append(try RawConnection(port: hub.port)) }
        let extra = try RawConnection(port: hub.port)
        let (bytes, closed) = extra.readUntilClosed(limit: .seconds(10))
        let answer = String(decoding: bytes, as: UTF8.self)
        #expect(closed)
        #expect(answer.hasPrefix("HTTP/1.1 503"), "\(answer)")
        #expect(answer.contains("limit of 3 connections"), "\(answer)")
        held.removeFirst()
        var served = false
        for _ in 0..<50 where !served {
            served = try await ProcessRunner.run("/usr/bin/curl", ["-fsS", "\(hub.url)/healthz"]).status == 0
            if !served { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(served, "a freed place was not given to the next connection")
        _ = held
    }

    @Test("200 clients sending their headers a byte at a time do not stop an agency's request")
    func tricklingClientsDoNotStopOthers() async throws {
        let (hub, run) = try await hubWithShortTimeouts(environment: ["GX_HUB_HEADER_TIMEOUT_SECONDS": "30", "GX_HUB_IDLE_TIMEOUT_SECONDS": "30"])
        defer { hub.stop() }
        // The 200 connections live in a process of their own: held here they would push this test process's
        // descriptors past 1024, where Foundation's Process.run crashes every other test that starts a process.
        let ready = try temporaryDirectory("trickle").appendingPathComponent("ready").path
        let script = """
            import os, socket, sys, time
            head = b"GET /healthz HTTP/1.1\\r\\nHost: hub\\r\\n"
            conns = [socket.create_connection(("127.0.0.1", \(hub.port))) for _ in range(200)]
            open(sys.argv[1], "w").close()
            for i in range(20):
                for c in conns:
                    c.send(head[i:i + 1])
                time.sleep(0.3)
            alive = 0
            for c in conns:
                c.setblocking(False)
                try:
                    alive += c.recv(1) != b""
                except BlockingIOError:
                    alive += 1
            print(alive)
            """
        let trickle = Process()
        trickle.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        trickle.arguments = ["python3", "-c", script, ready]
        let output = Pipe()
        trickle.standardOutput = output
        try trickle.run()
        for _ in 0..<300 where !FileManager.default.fileExists(atPath: ready) { try await Task.sleep(for: .milliseconds(20)) }
        try #require(FileManager.default.fileExists(atPath: ready), "the trickling clients did not connect")
        for round in 0..<3 {
            let listed = try await GXBinary.run(["agreement", "list", "--hub", hub.url, "--token-file", run.adminToken])
            #expect(listed.status == 0, "round \(round): \(listed.stderr)")
            #expect(listed.stdout.contains("BJ-GX-2026-004"), "\(listed.stdout)")
            try await Task.sleep(for: .milliseconds(300))
        }
        try await blockingWork { trickle.waitUntilExit() }
        let alive = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(alive == "200", "the trickling clients were still connected at the end (within the 30 s header timeout): \(alive)")
    }

    @Test("the timeouts come from the config file or the environment, and one that is not positive seconds is refused")
    func timeoutSettings() async throws {
        let config = try temporaryDirectory("timeouts-config").appendingPathComponent("hub.toml").path
        try "db = \"hub.sqlite\"\nheader_timeout_seconds = 5\nidle_timeout_seconds = 7.5\n".write(toFile: config, atomically: true, encoding: .utf8)
        let printed = try await GXBinary.run(["hub", "serve", "--config", config, "--print-config"], environment: ["GX_HUB_IDLE_TIMEOUT_SECONDS": "9"])
        #expect(printed.status == 0, "\(printed.stderr)")
        #expect(printed.stdout.contains("header_timeout_seconds = \"5.0\"   # config"), "\(printed.stdout)")
        #expect(printed.stdout.contains("idle_timeout_seconds = \"9\"   # environment GX_HUB_IDLE_TIMEOUT_SECONDS"), "\(printed.stdout)")
        for value in ["0", "-1", "nan", "soon"] {
            let refused = try await GXBinary.run(["hub", "serve", "--config", config], environment: ["GX_HUB_HEADER_TIMEOUT_SECONDS": value])
            #expect(refused.status != 0)
            #expect(refused.stderr.contains("header_timeout_seconds"), "\(value): \(refused.stderr)")
        }
    }

    @Test("max_connections that is not a whole number of at least 1 is refused, naming the setting")
    func connectionLimitSetting() async throws {
        let config = try temporaryDirectory("limit-config").appendingPathComponent("hub.toml").path
        try "db = \"hub.sqlite\"\nmax_connections = 500\n".write(toFile: config, atomically: true, encoding: .utf8)
        let printed = try await GXBinary.run(["hub", "serve", "--config", config, "--print-config"])
        #expect(printed.stdout.contains("max_connections = \"500\"   # config"), "\(printed.stdout)")
        for value in ["0", "-5", "1.5", "many"] {
            let refused = try await GXBinary.run(["hub", "serve", "--config", config], environment: ["GX_HUB_MAX_CONNECTIONS": value])
            #expect(refused.status != 0)
            #expect(refused.stderr.contains("max_connections"), "\(value): \(refused.stderr)")
        }
    }

    @Test("gx hub serve --help says SIGHUP reloads the TLS files")
    func helpNamesReload() async throws {
        let help = try await GXBinary.run(["hub", "serve", "--help"])
        let text = help.stdout.replacingOccurrences(of: "\n", with: " ")
        #expect(text.contains("SIGHUP"), "\(help.stdout)")
        #expect(!text.contains("restart the hub to take renewed"), "\(help.stdout)")
    }
}
