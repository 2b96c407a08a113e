import Foundation
@testable import GXCLI
import Testing

/// `gx bench` reports each process's peak memory; it must be that process's own.
@Suite("Benchmark measurements")
struct MeasuredProcessTests {
    @Test("a spawned child's peak memory is its own, not the benchmark process's (Linux starts its ru_maxrss at the parent's)")
    func childPeakIsItsOwn() async throws {
        // The test process holds 300 MB, touched, while the child runs.
        var ballast = [UInt8](repeating: 0, count: 300 << 20)
        for index in stride(from: 0, to: ballast.count, by: 4096) { ballast[index] = 1 }
        let outcome = try await MeasuredProcess.run("/bin/sleep", ["0.3"], log: "/dev/null")
        #expect(ballast.count == 300 << 20)
        #expect(outcome.peakRSS > 0 && outcome.peakRSS < 50 << 20, "sleep's peak was reported as \(outcome.peakRSS >> 20) MB")
    }

    @Test("a script's peak memory is its largest descendant's")
    func scriptPeakIsItsLargestChild() async throws {
        let grow = "b = bytearray(200 << 20)\nfor i in range(0, len(b), 4096): b[i] = 1\nimport time; time.sleep(1)"
        let outcome = try await MeasuredProcess.run("/bin/sh", ["-c", "python3 -c '\(grow)'; true"], log: "/dev/null")
        #expect(outcome.peakRSS >= 200 << 20 && outcome.peakRSS < 300 << 20, "reported \(outcome.peakRSS >> 20) MB for a 200 MB child")
    }

    @Test("a process that ends before the waiting thread samples it still reports its own peak, above zero (read at spawn)")
    func shortProcessHasAPeak() async throws {
        var own = 0
        for _ in 0..<10 {
            let outcome = try await MeasuredProcess.run("/bin/sleep", ["0.005"], log: "/dev/null")
            #expect(outcome.peakRSS > 0, "reported \(outcome.peakRSS) bytes")
            if outcome.peakRSS < 50 << 20 { own += 1 }
        }
        // On a loaded machine one may end before even the read at spawn and fall back to the kernel's figure.
        #expect(own > 0, "no short process reported its own peak")
    }
}
