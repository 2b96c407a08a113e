import Foundation
import GXDomain
import GXPostgres

/// One agency's agent: which hub, with which credential and key, and for each resource it provides or
/// agreement it consumes, the local data and its mapping. Read from TOML (`gx agent run --config`).
public struct AgentConfiguration: Decodable, Sendable {
    public var hub: String
    public var agency: String
    public var tokenFile: String
    public var keyFile: String
    /// The hub's SM2 public key (PEM file), the trust anchor for deliveries. Without it the agent takes
    /// the key the hub announces, and says so in its log.
    public var hubKeyFile: String?
    /// An HTTPS hub's CA bundle, and for a mutual-TLS hub this agency's client certificate and key.
    public var hubTLS: HubClientTLS
    /// The agent's own state: checkpoints, snapshot digests, spooled batches, quarantine, the run lock.
    public var stateDirectory: String
    public var provide: [ProvidedResource]
    public var consume: [ConsumedAgreement]
    /// Verification agreements (比对核实) under which this agency, as consumer, checks its own records.
    public var verify: [VerificationJob]
    /// Resources whose register this agency, as provider, answers verification requests from.
    public var answer: [ProvidedResource]

    enum CodingKeys: String, CodingKey {
        case hub, agency, tokenFile = "token_file", keyFile = "key_file", hubKeyFile = "hub_key_file"
        case hubCAFile = "hub_ca_file", clientCertificateFile = "client_certificate_file", clientKeyFile = "client_key_file"
        case stateDirectory = "state_dir", provide, consume, verify, answer
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        hub = try c.decode(String.self, forKey: .hub)
        agency = try c.decode(String.self, forKey: .agency)
        tokenFile = try c.decode(String.self, forKey: .tokenFile)
        keyFile = try c.decode(String.self, forKey: .keyFile)
        hubKeyFile = try c.decodeIfPresent(String.self, forKey: .hubKeyFile)
        hubTLS = HubClientTLS(caFile: try c.decodeIfPresent(String.self, forKey: .hubCAFile),
                              certificateFile: try c.decodeIfPresent(String.self, forKey: .clientCertificateFile),
                              keyFile: try c.decodeIfPresent(String.self, forKey: .clientKeyFile))
        stateDirectory = try c.decode(String.self, forKey: .stateDirectory)
        provide = try c.decodeIfPresent([ProvidedResource].self, forKey: .provide) ?? []
        consume = try c.decodeIfPresent([ConsumedAgreement].self, forKey: .consume) ?? []
        verify = try c.decodeIfPresent([VerificationJob].self, forKey: .verify) ?? []
        answer = try c.decodeIfPresent([ProvidedResource].self, forKey: .answer) ?? []
    }

    /// Reads a config file; relative paths in it are taken from the file's directory. Then each top-level
    /// setting may be overridden by its environment variable (`GX_AGENT_HUB`, `GX_AGENT_TOKEN_FILE`, …; see
    /// `overrides`), whose paths are taken as given.
    public static func load(path: String, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(InvalidInput) -> (AgentConfiguration, text: String) {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw InvalidInput(field: "config", reason: "cannot read \(path)")
        }
        var configuration = try TOMLDocument.decode(AgentConfiguration.self, from: text, source: path)
        let base = URL(fileURLWithPath: path).deletingLastPathComponent()
        func resolve(_ p: String) -> String { p.hasPrefix("/") ? p : base.appendingPathComponent(p).standardizedFileURL.path }
        configuration.tokenFile = resolve(configuration.tokenFile)
        configuration.keyFile = resolve(configuration.keyFile)
        configuration.hubKeyFile = configuration.hubKeyFile.map(resolve)
        configuration.stateDirectory = resolve(configuration.stateDirectory)
        configuration.hubTLS.caFile = configuration.hubTLS.caFile.map(resolve)
        configuration.hubTLS.certificateFile = configuration.hubTLS.certificateFile.map(resolve)
        configuration.hubTLS.keyFile = configuration.hubTLS.keyFile.map(resolve)
        for index in configuration.provide.indices where configuration.provide[index].source.isFile {
            configuration.provide[index].source.path = resolve(configuration.provide[index].source.path)
        }
        for index in configuration.consume.indices where configuration.consume[index].sink.isFile {
            configuration.consume[index].sink.path = resolve(configuration.consume[index].sink.path)
        }
        for index in configuration.verify.indices {
            if configuration.verify[index].source.isFile { configuration.verify[index].source.path = resolve(configuration.verify[index].source.path) }
            if configuration.verify[index].sink.isFile { configuration.verify[index].sink.path = resolve(configuration.verify[index].sink.path) }
        }
        for index in configuration.answer.indices where configuration.answer[index].source.isFile {
            configuration.answer[index].source.path = resolve(configuration.answer[index].source.path)
        }
        for override in overrides {
            if let value = environment[override.variable], !value.isEmpty {
                configuration[keyPath: override.setting] = value
                configuration.origins[override.key] = "environment \(override.variable)"
            }
        }
        return (configuration, text)
    }

    /// Where each top-level setting came from: the config file unless an environment variable overrode it.
    public var origins: [String: String] = [:]

    /// The top-level settings an environment variable can override, with their keys in the file.
    static var overrides: [(key: String, variable: String, setting: WritableKeyPath<AgentConfiguration, String?>)] { [
        ("hub", "GX_AGENT_HUB", \.optionalHub),
        ("agency", "GX_AGENT_AGENCY", \.optionalAgency),
        ("token_file", "GX_AGENT_TOKEN_FILE", \.optionalTokenFile),
        ("key_file", "GX_AGENT_KEY_FILE", \.optionalKeyFile),
        ("hub_key_file", "GX_AGENT_HUB_KEY_FILE", \.hubKeyFile),
        ("state_dir", "GX_AGENT_STATE_DIR", \.optionalStateDirectory),
        ("hub_ca_file", "GX_AGENT_HUB_CA_FILE", \.hubTLS.caFile),
        ("client_certificate_file", "GX_AGENT_CLIENT_CERTIFICATE_FILE", \.hubTLS.certificateFile),
        ("client_key_file", "GX_AGENT_CLIENT_KEY_FILE", \.hubTLS.keyFile),
    ] }

    /// The effective settings as TOML-like lines with their origins; database passwords masked, and no
    /// secret itself (only the files that hold the token and keys).
    public var printed: String {
        var lines: [String] = []
        for override in Self.overrides {
            let origin = origins[override.key] ?? "config"
            if let value = self[keyPath: override.setting] {
                lines.append("\(override.key) = \"\(value)\"   # \(origin), \(override.variable)")
            } else {
                lines.append("# \(override.key) is not set (\(override.variable))")
            }
        }
        for provided in provide {
            lines.append("\n[[provide]]   # \(provided.resource): \(provided.map.count) mapped items, \(provided.batchRecords) records per batch")
            lines.append("source = \"\(provided.source.kind.rawValue) \(provided.source.label)\"")
        }
        for consumed in consume {
            lines.append("\n[[consume]]   # \(consumed.agreement): \(consumed.map.count) mapped items")
            lines.append("sink = \"\(consumed.sink.kind.rawValue) \(consumed.sink.label)\"")
        }
        return lines.joined(separator: "\n")
    }

    // Optional views of the required settings, so one table of overrides covers them all.
    var optionalHub: String? { get { hub } set { hub = newValue ?? hub } }
    var optionalAgency: String? { get { agency } set { agency = newValue ?? agency } }
    var optionalTokenFile: String? { get { tokenFile } set { tokenFile = newValue ?? tokenFile } }
    var optionalKeyFile: String? { get { keyFile } set { keyFile = newValue ?? keyFile } }
    var optionalStateDirectory: String? { get { stateDirectory } set { stateDirectory = newValue ?? stateDirectory } }
}

/// A resource this agency provides.
public struct ProvidedResource: Decodable, Sendable {
    public var resource: String
    public var source: LocalDataLocation
    public var map: [FieldMapping]
    /// Records per batch: an initial load goes in chunks of this size.
    public var batchRecords: Int

    enum CodingKeys: String, CodingKey { case resource, source, map, batchRecords = "batch_records" }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        resource = try c.decode(String.self, forKey: .resource)
        source = try c.decode(LocalDataLocation.self, forKey: .source)
        map = try c.decode([FieldMapping].self, forKey: .map)
        batchRecords = try c.decodeIfPresent(Int.self, forKey: .batchRecords) ?? 100_000
        guard batchRecords > 0 else {
            throw DecodingError.dataCorruptedError(forKey: .batchRecords, in: c, debugDescription: "must be positive")
        }
    }
}

/// An agreement under which this agency receives data.
public struct ConsumedAgreement: Decodable, Sendable {
    public var agreement: String
    public var sink: LocalDataLocation
    public var map: [FieldMapping]
}

/// A verification agreement (比对核实) this agency consumes: its records to check (`source`, mapped to the
/// catalogue by `map` as a provider's are), and where the answers go (`sink`: the key columns, `found`,
/// and one column per checked item, named as `map` names the item's column).
public struct VerificationJob: Decodable, Sendable {
    public var agreement: String
    public var source: LocalDataLocation
    public var map: [FieldMapping]
    public var sink: LocalDataLocation
}

/// A local file or table: `kind` csv, sqlite or postgres; the file's path (csv, sqlite) or the database URL
/// (postgres: `url`, else libpq's PG* environment variables); the table; the local key columns; and for a
/// provider's table an optional cursor column (cursor mode; otherwise snapshot-diff).
public struct LocalDataLocation: Decodable, Sendable {
    public enum Kind: String, Decodable, Sendable { case csv, sqlite, postgres }
    public var kind: Kind
    /// The file (csv, sqlite), or the PostgreSQL URL (`postgres` alone: from the environment).
    public var path: String
    public var table: String?
    public var key: [String]
    public var cursor: String?
    /// Sinks: create the table (or CSV) with the mapped columns if it does not exist.
    public var create: Bool

    enum CodingKeys: String, CodingKey { case kind, path, url, table, key, cursor, create }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = try c.decode(Kind.self, forKey: .kind)
        if kind == .postgres {
            path = try c.decodeIfPresent(String.self, forKey: .url) ?? "postgres"
            guard PostgresSettings.names(path) else {
                throw DecodingError.dataCorruptedError(forKey: .url, in: c, debugDescription: "expected postgres://user@host:port/database")
            }
            do { _ = try PostgresSettings.parse(path) } catch {
                throw DecodingError.dataCorruptedError(forKey: .url, in: c, debugDescription: error.description)
            }
        } else {
            path = try c.decode(String.self, forKey: .path)
        }
        table = try c.decodeIfPresent(String.self, forKey: .table)
        key = try c.decode([String].self, forKey: .key)
        cursor = try c.decodeIfPresent(String.self, forKey: .cursor)
        create = try c.decodeIfPresent(Bool.self, forKey: .create) ?? false
        if kind != .csv, table == nil {
            throw DecodingError.keyNotFound(CodingKeys.table, .init(codingPath: c.codingPath, debugDescription: "a \(kind.rawValue) location needs a table"))
        }
        if kind == .csv, cursor != nil {
            throw DecodingError.dataCorruptedError(forKey: .cursor, in: c, debugDescription: "cursor mode needs a database source; CSV files use snapshot change detection")
        }
        guard !key.isEmpty else { throw DecodingError.dataCorruptedError(forKey: .key, in: c, debugDescription: "name at least one key column") }
    }

    /// Whether `path` is a file (resolved against the config file's directory) rather than a database URL.
    var isFile: Bool { kind != .postgres }

    func postgresSettings() throws(PostgresSettingsError) -> PostgresSettings {
        try PostgresSettings.parse(path)
    }

    /// How the location is named in errors and logs (never with a password).
    public var label: String {
        let place = kind == .postgres ? ((try? postgresSettings())?.description ?? PostgresSettings.redacting(path)) : path
        return table.map { "\(place):\($0)" } ?? place
    }
}

extension AgentConfiguration {
    /// The SM4 data keys that seal the agent's spool, downloads and quarantine at rest (`gx data-key`).
    public var dataKeyDirectory: String { stateDirectory + "/data-keys" }
}
