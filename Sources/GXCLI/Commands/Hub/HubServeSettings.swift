import Foundation
import GXDomain
import GXHub
import GXPostgres

/// The effective settings of `gx hub serve`, layered: built-in defaults, then the config file (`--config`),
/// then `GX_HUB_*` environment variables, then command-line flags. Each setting remembers where it came
/// from, for `--print-config`.
struct HubServeSettings {
    /// One setting: its name in the config file (`tls.certificate`), its environment variable, its value
    /// and where that value came from.
    struct Setting {
        let key: String
        let environment: String
        var value: String?
        var origin = "default"
        /// Shown masked by `--print-config` (a PostgreSQL URL's password).
        var isSecretBearing = false
    }

    private(set) var settings: [Setting] = [
        Setting(key: "db", environment: "GX_HUB_DB", isSecretBearing: true),
        Setting(key: "key", environment: "GX_HUB_KEY"),
        Setting(key: "batches", environment: "GX_HUB_BATCHES"),
        /// Where payloads are kept: `files` (in `batches`) or `postgres` (in the hub's PostgreSQL database).
        Setting(key: "payloads", environment: "GX_HUB_PAYLOADS"),
        /// The SM4 data keys that seal payload files (default: data-keys/ beside the hub's key).
        Setting(key: "data_keys", environment: "GX_HUB_DATA_KEYS"),
        Setting(key: "listen", environment: "GX_HUB_LISTEN", value: "127.0.0.1:8480"),
        Setting(key: "log_level", environment: "GX_HUB_LOG_LEVEL", value: "info"),
        Setting(key: "batch_retention_days", environment: "GX_HUB_BATCH_RETENTION_DAYS", value: "7"),
        /// MiB of just-written deliveries and verification payloads served from memory (0: always from the store).
        Setting(key: "recent_payloads_mb", environment: "GX_HUB_RECENT_PAYLOADS_MB", value: "48"),
        Setting(key: "header_timeout_seconds", environment: "GX_HUB_HEADER_TIMEOUT_SECONDS", value: "30"),
        Setting(key: "idle_timeout_seconds", environment: "GX_HUB_IDLE_TIMEOUT_SECONDS", value: "60"),
        Setting(key: "max_connections", environment: "GX_HUB_MAX_CONNECTIONS", value: "2048"),
        /// Load balancers' addresses, separated by ',': their X-Forwarded-For names the client.
        Setting(key: "trusted_proxies", environment: "GX_HUB_TRUSTED_PROXIES"),
        /// Holiday calendar files, separated by ':' (as PATH is); each adds a year or replaces one.
        Setting(key: "calendar", environment: "GX_HUB_CALENDAR"),
        Setting(key: "objection_answer_days", environment: "GX_HUB_OBJECTION_ANSWER_DAYS", value: "5"),
        Setting(key: "tls.certificate", environment: "GX_HUB_TLS_CERTIFICATE"),
        Setting(key: "tls.key", environment: "GX_HUB_TLS_KEY"),
        Setting(key: "tls.client_ca", environment: "GX_HUB_TLS_CLIENT_CA"),
        Setting(key: "demands.review_working_days", environment: "GX_HUB_DEMANDS_REVIEW_WORKING_DAYS", value: String(DemandTimeLimits.standard.reviewWorkingDays)),
        Setting(key: "demands.reply_working_days", environment: "GX_HUB_DEMANDS_REPLY_WORKING_DAYS", value: String(DemandTimeLimits.standard.replyWorkingDays)),
    ]

    subscript(key: String) -> String? {
        settings.first { $0.key == key }?.value
    }

    mutating func set(_ key: String, _ value: String?, origin: String) {
        guard let value, let index = settings.firstIndex(where: { $0.key == key }) else { return }
        settings[index].value = value
        settings[index].origin = origin
    }

    /// Reads a config file. Relative paths in it are taken from the file's directory, so a config and its
    /// keys can move together.
    mutating func apply(configFile path: String) throws(InvalidInput) {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw InvalidInput(field: "config", reason: "cannot read \(path)")
        }
        let file = try TOMLDocument.decode(HubConfigFile.self, from: text, source: path)
        let base = URL(fileURLWithPath: path).deletingLastPathComponent()
        func resolve(_ p: String?) -> String? {
            p.map { $0.hasPrefix("/") || PostgresSettings.names($0) ? $0 : base.appendingPathComponent($0).standardizedFileURL.path }
        }
        let origin = "config \(path)"
        set("db", resolve(file.db), origin: origin)
        set("key", resolve(file.key), origin: origin)
        set("batches", resolve(file.batches), origin: origin)
        set("payloads", file.payloads, origin: origin)
        set("data_keys", resolve(file.dataKeys), origin: origin)
        set("listen", file.listen, origin: origin)
        set("log_level", file.logLevel, origin: origin)
        set("batch_retention_days", file.batchRetentionDays.map { String($0) }, origin: origin)
        set("recent_payloads_mb", file.recentPayloadsMB.map { String($0) }, origin: origin)
        set("header_timeout_seconds", file.headerTimeoutSeconds.map { String($0) }, origin: origin)
        set("idle_timeout_seconds", file.idleTimeoutSeconds.map { String($0) }, origin: origin)
        set("max_connections", file.maxConnections.map { String($0) }, origin: origin)
        set("trusted_proxies", file.trustedProxies.map { $0.joined(separator: ",") }, origin: origin)
        set("calendar", file.calendar.map { $0.compactMap(resolve).joined(separator: ":") }, origin: origin)
        set("demands.review_working_days", file.demands?.reviewWorkingDays.map { String($0) }, origin: origin)
        set("demands.reply_working_days", file.demands?.replyWorkingDays.map { String($0) }, origin: origin)
        set("objection_answer_days", file.objectionAnswerDays.map { String($0) }, origin: origin)
        set("tls.certificate", resolve(file.tls?.certificate), origin: origin)
        set("tls.key", resolve(file.tls?.key), origin: origin)
        set("tls.client_ca", resolve(file.tls?.clientCA), origin: origin)
    }

    mutating func apply(environment: [String: String]) {
        for setting in settings {
            if let value = environment[setting.environment], !value.isEmpty {
                set(setting.key, value, origin: "environment \(setting.environment)")
            }
        }
    }

    /// Where payloads are kept: `payloads` if set; otherwise files for SQLite, and for PostgreSQL the database
    /// unless `batches` is set (a hub that kept its payloads as files before keeps them there).
    func payloadPlace(postgres: Bool) throws(InvalidInput) -> PayloadPlace {
        if let value = self["payloads"] {
            guard let place = PayloadPlace(rawValue: value) else {
                throw InvalidInput(field: "payloads", reason: "must be files or postgres, got '\(value)'")
            }
            guard place == .files || postgres else {
                throw InvalidInput(field: "payloads", reason: "postgres keeps payloads in the hub's PostgreSQL database; this hub's database is SQLite")
            }
            return place
        }
        return postgres && self["batches"] == nil ? .postgres : .files
    }

    /// The calendar files, in order.
    var calendarFiles: [String] {
        (self["calendar"] ?? "").split(separator: ":").map(String.init).filter { !$0.isEmpty }
    }

    /// The load balancers whose X-Forwarded-For is believed, each an IP address.
    func trustedProxies() throws(InvalidInput) -> Set<String> {
        let addresses = (self["trusted_proxies"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        for address in addresses where !Hub.isIPAddress(address) {
            throw InvalidInput(field: "trusted_proxies", reason: "'\(address)' is not an IP address (a balancer's address as the hub sees it connect, e.g. 10.0.0.5)")
        }
        return Set(addresses)
    }

    /// The demand workflow's time limits, checked.
    func demandTimeLimits() throws(InvalidInput) -> DemandTimeLimits {
        func days(_ key: String) throws(InvalidInput) -> Int {
            guard let days = Int(self[key] ?? "") else {
                throw InvalidInput(field: key, reason: "must be a whole number of working days, got '\(self[key] ?? "")'")
            }
            return days
        }
        return try DemandTimeLimits(reviewWorkingDays: try days("demands.review_working_days"), replyWorkingDays: try days("demands.reply_working_days"))
    }

    /// The settings as TOML lines with their origins, a PostgreSQL password masked.
    var printed: String {
        var lines: [String] = []
        var table = ""
        for setting in settings {
            let parts = setting.key.split(separator: ".", maxSplits: 1)
            let section = parts.count == 2 ? String(parts[0]) : ""
            if section != table {
                lines.append("\n[\(section)]")
                table = section
            }
            let name = String(parts.last!)
            guard var value = setting.value else {
                lines.append("# \(name) is not set")
                continue
            }
            if setting.isSecretBearing { value = PostgresSettings.redacting(value) }
            let escaped = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            lines.append("\(name) = \"\(escaped)\"   # \(setting.origin)")
        }
        return lines.joined(separator: "\n")
    }
}

/// Where a hub keeps its payloads (`payloads` in hub.toml, `--payloads`).
enum PayloadPlace: String {
    /// Files in the batch directory (`batches`).
    case files
    /// The hub's PostgreSQL database, beside the rows that name them.
    case postgres
}

/// `hub.toml`: every key optional; unknown keys are refused with their line.
struct HubConfigFile: Decodable {
    struct TLS: Decodable {
        var certificate: String?
        var key: String?
        var clientCA: String?
        enum CodingKeys: String, CodingKey { case certificate, key, clientCA = "client_ca" }
    }

    /// `[demands]`: the workflow's time limits in working days.
    struct Demands: Decodable {
        var reviewWorkingDays: Int?
        var replyWorkingDays: Int?
        enum CodingKeys: String, CodingKey { case reviewWorkingDays = "review_working_days", replyWorkingDays = "reply_working_days" }
    }

    var db: String?
    var key: String?
    var batches: String?
    var payloads: String?
    var dataKeys: String?
    var listen: String?
    var logLevel: String?
    var batchRetentionDays: Double?
    var recentPayloadsMB: Int?
    var headerTimeoutSeconds: Double?
    var idleTimeoutSeconds: Double?
    var maxConnections: Int?
    /// The load balancers' addresses (see `Hub.trustedProxies`).
    var trustedProxies: [String]?
    var objectionAnswerDays: Int?
    var tls: TLS?
    /// Holiday calendar files (one year each), relative to the config file's directory.
    var calendar: [String]?
    var demands: Demands?

    enum CodingKeys: String, CodingKey {
        case db, key, batches, payloads, dataKeys = "data_keys", listen, logLevel = "log_level", batchRetentionDays = "batch_retention_days", tls,
             recentPayloadsMB = "recent_payloads_mb",
             headerTimeoutSeconds = "header_timeout_seconds", idleTimeoutSeconds = "idle_timeout_seconds",
             maxConnections = "max_connections", trustedProxies = "trusted_proxies", objectionAnswerDays = "objection_answer_days", calendar, demands
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        db = try c.decodeIfPresent(String.self, forKey: .db)
        key = try c.decodeIfPresent(String.self, forKey: .key)
        batches = try c.decodeIfPresent(String.self, forKey: .batches)
        payloads = try c.decodeIfPresent(String.self, forKey: .payloads)
        dataKeys = try c.decodeIfPresent(String.self, forKey: .dataKeys)
        listen = try c.decodeIfPresent(String.self, forKey: .listen)
        logLevel = try c.decodeIfPresent(String.self, forKey: .logLevel)
        // TOML tells 7 from 7.0; both mean days here.
        if let days = try? c.decodeIfPresent(Int.self, forKey: .batchRetentionDays) {
            batchRetentionDays = Double(days)
        } else {
            batchRetentionDays = try c.decodeIfPresent(Double.self, forKey: .batchRetentionDays)
        }
        recentPayloadsMB = try c.decodeIfPresent(Int.self, forKey: .recentPayloadsMB)
        headerTimeoutSeconds = try Self.seconds(c, .headerTimeoutSeconds)
        idleTimeoutSeconds = try Self.seconds(c, .idleTimeoutSeconds)
        maxConnections = try c.decodeIfPresent(Int.self, forKey: .maxConnections)
        trustedProxies = try c.decodeIfPresent([String].self, forKey: .trustedProxies)
        objectionAnswerDays = try c.decodeIfPresent(Int.self, forKey: .objectionAnswerDays)
        tls = try c.decodeIfPresent(TLS.self, forKey: .tls)
        calendar = try c.decodeIfPresent([String].self, forKey: .calendar)
        demands = try c.decodeIfPresent(Demands.self, forKey: .demands)
    }

    static func seconds(_ c: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> Double? {
        if let whole = try? c.decodeIfPresent(Int.self, forKey: key) { return Double(whole) }
        return try c.decodeIfPresent(Double.self, forKey: key)
    }
}
