import Foundation

/// Everything Gongxiang reads from outside bytes, one target each. `run` must not crash on any input: errors
/// are expected, and where a reader promises a property (a canonical line re-encodes to itself, a CSV file
/// reads the same whatever the chunk size) the target checks it and traps when it fails.
enum FuzzTarget: String, CaseIterable {
    case canonicalLine = "canonical-line"
    case payload
    case manifest
    case catalogueTOML = "catalogue-toml"
    case agreementTOML = "agreement-toml"
    case agentConfig = "agent-config"
    case csv
    case httpBody = "http-body"

    static let selected: FuzzTarget = {
        let name = ProcessInfo.processInfo.environment["GX_FUZZ_TARGET"] ?? ""
        guard let target = FuzzTarget(rawValue: name) else {
            FileHandle.standardError.write(Data("gx-fuzz: set GX_FUZZ_TARGET to one of \(allCases.map(\.rawValue).joined(separator: ", "))\n".utf8))
            exit(2)
        }
        return target
    }()

    func run(_ bytes: [UInt8]) {
        switch self {
        case .canonicalLine: Self.canonicalLine(bytes)
        case .payload: Self.payload(bytes)
        case .manifest: Self.manifest(bytes)
        case .catalogueTOML: Self.catalogueTOML(bytes)
        case .agreementTOML: Self.agreementTOML(bytes)
        case .agentConfig: Self.agentConfig(bytes)
        case .csv: Self.csv(bytes)
        case .httpBody: Self.httpBody(bytes)
        }
    }

    /// A finding: libFuzzer keeps the input that led here.
    static func finding(_ message: String) -> Never {
        FileHandle.standardError.write(Data("gx-fuzz finding: \(message)\n".utf8))
        abort()
    }
}
