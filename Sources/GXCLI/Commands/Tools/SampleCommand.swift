import ArgumentParser
import Foundation
import GXDomain
import GXSamples

struct SampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Write a realistic sample register (an agency's nightly export) as CSV; the same seed gives the same file.",
        discussion: """
            RESOURCE is FR-001 (法人, as 市场监管 exports it), RK-001 (人口, as 公安 exports it) or FC-001 \
            (房产交易, as 住建 exports it). The file has the agency's own column names and formats — dates as \
            19800101 or 2024/1/5, 性别 as 男/女, capital in 万元, the odd full-width digit or stray space — \
            so the agent's mapping has work to do; --print-mapping prints the [[provide.map]] tables that \
            map it to the catalogue. Keys are valid per their standards and unique.

            --night 2 is the next night's export of the same register: about 1 % of rows updated, deleted \
            or inserted at the end. --invalid-every N makes every N-th row break one catalogue rule (in \
            turn: a wrong check character, an impossible date, an unknown code, a missing required value), \
            so the quarantine has something to show.

            Example: gx sample --resource RK-001 --rows 100000 --seed 7 --out rk-001.csv
            """)

    @Option(help: "FR-001 | RK-001 | FC-001")
    var resource: String

    @Option(help: "Rows of night 1 (night 2 has about as many).")
    var rows: Int = 1000

    @Option(help: "Seed: the same seed gives the same rows on every machine.")
    var seed: UInt64 = 1

    @Option(help: "1 for the first export, 2 for the next night's (about 1 % changed).")
    var night: Int = 1

    @Option(help: "Make every N-th row invalid (0: none).")
    var invalidEvery: Int = 0

    @Option(help: "The CSV file to write (- for standard output).")
    var out: String?

    @Flag(help: "Print the mapping of this export's columns to the catalogue items (TOML).")
    var printMapping = false

    func validate() throws {
        guard let resource = SampleResource(rawValue: resource) else {
            throw ValidationError("unknown resource '\(self.resource)': use one of \(SampleResource.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard (0...resource.maximumRows).contains(rows) else {
            throw ValidationError("--rows must be 0…\(resource.maximumRows) for \(resource.rawValue)")
        }
        guard night == 1 || night == 2 else { throw ValidationError("--night must be 1 or 2") }
        guard invalidEvery >= 0 else { throw ValidationError("--invalid-every must not be negative") }
        guard out != nil || printMapping else { throw ValidationError("name the CSV file with --out (or use --print-mapping)") }
    }

    func run() throws {
        let register = SampleRegister(resource: SampleResource(rawValue: resource)!, rows: rows, seed: seed, night: night, invalidEvery: invalidEvery)
        if printMapping { print(register.mappingTOML, terminator: "") }
        guard let out else { return }
        if out == "-" {
            var file = CSVOutput(handle: FileHandle.standardOutput)
            try file.write(register)
            return
        }
        // Written beside the target and renamed, so an agent polling for the file never reads half of it.
        let partial = out + ".partial"
        guard FileManager.default.createFile(atPath: partial, contents: nil), let handle = FileHandle(forWritingAtPath: partial) else {
            throw Failure(description: "cannot create \(partial)")
        }
        var file = CSVOutput(handle: handle)
        do {
            try file.write(register)
            try handle.close()
            guard rename(partial, out) == 0 else { throw Failure(description: "cannot rename \(partial) to \(out): \(String(cString: strerror(errno)))") }
        } catch {
            try? FileManager.default.removeItem(atPath: partial)
            throw error
        }
        let message = "\(out): \(resource) night \(night), \(file.rows) rows\n"
        FileHandle.standardError.write(Data(message.utf8))
    }

    /// A file-system failure, reported without the usage text that follows a ``ValidationError``.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// UTF-8 CSV with a header, RFC 4180 quoting, written in 1 MiB chunks so any size streams.
    struct CSVOutput {
        let handle: FileHandle
        private var buffer: [UInt8] = []
        private(set) var rows = 0

        init(handle: FileHandle) {
            self.handle = handle
            buffer.reserveCapacity(1 << 20 + 4096)
        }

        /// Writes `register` to a new file at `path` (the benchmarks' exports), replacing one left there.
        static func write(_ register: SampleRegister, toFile path: String) throws {
            guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
                throw Failure(description: "cannot create \(path)")
            }
            defer { try? handle.close() }
            var output = CSVOutput(handle: handle)
            try output.write(register)
        }

        mutating func write(_ register: SampleRegister) throws {
            try writeLine(register.columns)
            try register.forEachRow { values in
                try writeLine(values)
                rows += 1
            }
            try flush()
        }

        private mutating func writeLine(_ values: [String?]) throws {
            for (index, value) in values.enumerated() {
                if index > 0 { buffer.append(UInt8(ascii: ",")) }
                if let value { append(value) }
            }
            buffer.append(UInt8(ascii: "\n"))
            if buffer.count >= 1 << 20 { try flush() }
        }

        /// Quotes a value that holds a comma, quote or line break, or that starts or ends with a space
        /// (which unquoted would be at the mercy of readers that trim).
        private mutating func append(_ value: String) {
            let utf8 = value.utf8
            let needsQuotes = utf8.first == UInt8(ascii: " ") || utf8.last == UInt8(ascii: " ")
                || utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }
            guard needsQuotes else {
                buffer.append(contentsOf: utf8)
                return
            }
            buffer.append(UInt8(ascii: "\""))
            for byte in utf8 {
                if byte == UInt8(ascii: "\"") { buffer.append(byte) }
                buffer.append(byte)
            }
            buffer.append(UInt8(ascii: "\""))
        }

        private mutating func flush() throws {
            guard !buffer.isEmpty else { return }
            try handle.write(contentsOf: buffer)
            buffer.removeAll(keepingCapacity: true)
        }
    }
}
