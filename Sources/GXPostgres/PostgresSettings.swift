import Foundation
import NIOSSL
import PostgresNIO

/// Where and how to reach a PostgreSQL server, read the way libpq reads it: a `postgres://` URL, with
/// anything it leaves out taken from `PGHOST`, `PGPORT`, `PGUSER`, `PGPASSWORD`, `PGDATABASE`,
/// `PGSSLMODE` and `PGSSLROOTCERT`, so operators configure us exactly as they configure `psql`.
public struct PostgresSettings: Sendable, Equatable, CustomStringConvertible {
    /// libpq's `sslmode` values. `prefer` (libpq's default) falls back to plain TCP when the server has no TLS.
    public enum TLSMode: String, Sendable, CaseIterable {
        case disable, allow, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    /// A host name, an IP address, or a directory holding the server's Unix socket (starts with `/`).
    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    public var tlsMode: TLSMode
    /// CA bundle (PEM) that the server's certificate must chain to, for `verify-ca` and `verify-full`.
    public var rootCertificatePath: String?

    public init(host: String = "localhost", port: Int = 5432, username: String, password: String? = nil, database: String,
                tlsMode: TLSMode = .prefer, rootCertificatePath: String? = nil) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.tlsMode = tlsMode
        self.rootCertificatePath = rootCertificatePath
    }

    /// Whether `text` names a PostgreSQL database (a URL, or `postgres` alone for the environment's) rather
    /// than a file.
    public static func names(_ text: String) -> Bool {
        text == "postgres" || text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    /// Reads `url` (`postgres://user:password@host:port/database?sslmode=…&sslrootcert=…`, or `postgres`
    /// alone), filling what it leaves out from `environment`.
    public static func parse(_ url: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(PostgresSettingsError) -> PostgresSettings {
        func env(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        var host = env("PGHOST")
        var port = env("PGPORT")
        var user = env("PGUSER")
        var password = env("PGPASSWORD")
        var database = env("PGDATABASE")
        var sslmode = env("PGSSLMODE")
        var rootCertificate = env("PGSSLROOTCERT")

        if url != "postgres" {
            guard names(url), let components = URLComponents(string: url) else {
                throw PostgresSettingsError(setting: "url", reason: "expected postgres://user:password@host:port/database, got \(redacting(url))")
            }
            if let value = components.host, !value.isEmpty { host = value.removingPercentEncoding ?? value }
            if let value = components.port { port = String(value) }
            if let value = components.user, !value.isEmpty { user = value.removingPercentEncoding ?? value }
            if let value = components.password { password = value.removingPercentEncoding ?? value }
            let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
            if !path.isEmpty { database = path.removingPercentEncoding ?? path }
            for item in components.queryItems ?? [] {
                switch item.name {
                case "sslmode": sslmode = item.value
                case "sslrootcert": rootCertificate = item.value
                case "host": host = item.value
                case "port": port = item.value
                case "user": user = item.value
                case "password": password = item.value
                case "dbname": database = item.value
                case "application_name", "connect_timeout": break
                default:
                    throw PostgresSettingsError(setting: item.name, reason: "unsupported connection parameter (supported: sslmode, sslrootcert, host, port, user, password, dbname)")
                }
            }
        }

        guard let user else {
            throw PostgresSettingsError(setting: "user", reason: "no user name: put it in the URL (postgres://USER@host/db) or set PGUSER")
        }
        var settings = PostgresSettings(host: host ?? "localhost", username: user, password: password, database: database ?? user)
        if let port {
            guard let number = Int(port), (1...65535).contains(number) else {
                throw PostgresSettingsError(setting: "port", reason: "expected a port number 1-65535, got \(port)")
            }
            settings.port = number
        }
        if let sslmode {
            guard let mode = TLSMode(rawValue: sslmode) else {
                throw PostgresSettingsError(setting: "sslmode", reason: "expected one of \(TLSMode.allCases.map(\.rawValue).joined(separator: ", ")), got \(sslmode)")
            }
            settings.tlsMode = mode
        }
        settings.rootCertificatePath = rootCertificate
        if [.verifyCA, .verifyFull].contains(settings.tlsMode), rootCertificate == nil {
            throw PostgresSettingsError(setting: "sslrootcert", reason: "sslmode=\(settings.tlsMode.rawValue) needs the CA bundle that signed the server's certificate (sslrootcert or PGSSLROOTCERT)")
        }
        return settings
    }

    /// The URL without the password, for logs and errors.
    public var description: String {
        let where_ = host.hasPrefix("/") ? "[\(host)]" : host
        return "postgres://\(username)@\(where_):\(port)/\(database)" + (tlsMode == .prefer ? "" : "?sslmode=\(tlsMode.rawValue)")
    }

    /// Replaces a password in a URL-like text by `***`, so a mistyped URL can be echoed back safely.
    public static func redacting(_ text: String) -> String {
        guard let at = text.lastIndex(of: "@"), let scheme = text.range(of: "://"), scheme.upperBound < at else { return text }
        let credentials = text[scheme.upperBound..<at]
        guard let colon = credentials.firstIndex(of: ":") else { return text }
        return String(text[..<credentials.index(after: colon)]) + "***" + String(text[at...])
    }

    /// What TLS to use: nil for none, else whether a server without TLS is refused, and how to verify it.
    func tlsConfiguration() -> (required: Bool, configuration: TLSConfiguration)? {
        var configuration = TLSConfiguration.makeClientConfiguration()
        switch tlsMode {
        case .disable:
            return nil
        case .allow, .prefer:
            configuration.certificateVerification = .none
            return (false, configuration)
        case .require:
            // As libpq: `require` only encrypts, unless a CA bundle is given, when it also verifies the chain.
            configuration.certificateVerification = rootCertificatePath == nil ? .none : .noHostnameVerification
        case .verifyCA:
            configuration.certificateVerification = .noHostnameVerification
        case .verifyFull:
            configuration.certificateVerification = .fullVerification
        }
        if let rootCertificatePath {
            configuration.trustRoots = .file(rootCertificatePath)
        }
        return (true, configuration)
    }

    /// Settings for one connection (agents' sources and sinks).
    public func connectionConfiguration() throws(PostgresSettingsError) -> PostgresConnection.Configuration {
        var configuration: PostgresConnection.Configuration
        if host.hasPrefix("/") {
            configuration = .init(unixSocketPath: "\(host)/.s.PGSQL.\(port)", username: username, password: password, database: database)
        } else {
            var tls = PostgresConnection.Configuration.TLS.disable
            if let (required, settings) = tlsConfiguration() {
                let context: NIOSSLContext
                do { context = try NIOSSLContext(configuration: settings) } catch {
                    throw PostgresSettingsError(setting: "sslrootcert", reason: "cannot set up TLS: \(error)")
                }
                tls = required ? .require(context) : .prefer(context)
            }
            configuration = .init(host: host, port: port, username: username, password: password, database: database, tls: tls)
        }
        configuration.options.additionalStartupParameters = [("application_name", "gongxiang")]
        return configuration
    }

    /// Settings for a pool of connections (the hub's store).
    public func clientConfiguration(maximumConnections: Int = 10) -> PostgresClient.Configuration {
        var configuration: PostgresClient.Configuration
        if host.hasPrefix("/") {
            configuration = .init(unixSocketPath: "\(host)/.s.PGSQL.\(port)", username: username, password: password, database: database)
        } else {
            var tls = PostgresClient.Configuration.TLS.disable
            if let (required, settings) = tlsConfiguration() {
                tls = required ? .require(settings) : .prefer(settings)
            }
            configuration = .init(host: host, port: port, username: username, password: password, database: database, tls: tls)
        }
        configuration.options.maximumConnections = maximumConnections
        configuration.options.additionalStartupParameters = [("application_name", "gongxiang-hub")]
        return configuration
    }
}

/// A connection setting that cannot be used, naming it.
public struct PostgresSettingsError: Error, Sendable, Equatable, CustomStringConvertible {
    public let setting: String
    public let reason: String

    public init(setting: String, reason: String) {
        self.setting = setting
        self.reason = reason
    }

    public var description: String { "PostgreSQL \(setting): \(reason)" }
}
