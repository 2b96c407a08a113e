import ArgumentParser
import Foundation
import GXDomain

struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check identifiers against their national standards, for cleaning data before onboarding.",
        discussion: """
            KIND is one of: id (公民身份号码 GB 11643), uscc (统一社会信用代码 GB 32100), \
            orgcode (组织机构代码 GB 11714), division (行政区划代码 GB/T 2260), unit (不动产单元号 GB/T 37346). \
            Prints one line per value: the value and `valid` or `invalid: <rule>`. Pass `-` to read one \
            value per line from standard input (millions are fine). Exit status 0 only if all are valid.
            """)

    @Argument(help: "id | uscc | orgcode | division | unit")
    var kind: String

    @Argument(help: "Values to check, or - for standard input.")
    var values: [String]

    func run() async throws {
        guard let kind = IdentifierKind(rawValue: kind) else {
            throw ValidationError("unknown kind '\(self.kind)': use one of \(IdentifierKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var out = BufferedOutput()
        var allValid = true
        func check(_ value: String) {
            if let violation = IdentifierValidator.violation(of: value, as: kind) {
                allValid = false
                out.write("\(value)\tinvalid: \(violation.rule)\n")
            } else {
                out.write("\(value)\tvalid\n")
            }
        }
        if values == ["-"] {
            while let line = readLine(strippingNewline: true) {
                check(line.hasSuffix("\r") ? String(line.dropLast()) : line)
            }
        } else {
            values.forEach(check)
        }
        out.flush()
        if !allValid { throw ExitCode(1) }
    }
}

/// Collects output and writes it in large chunks; `print` per line is too slow for millions.
struct BufferedOutput {
    private var buffer: [UInt8] = []

    init() { buffer.reserveCapacity(1 << 16) }

    mutating func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 16 { flush() }
    }

    mutating func flush() {
        guard !buffer.isEmpty else { return }
        FileHandle.standardOutput.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }
}
