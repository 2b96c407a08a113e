import Foundation
import GXTestSupport
import Testing

@Suite("Configuration files, environment overrides and --print-config")
struct ConfigurationTests {
    @Test("gx hub serve layers config file, environment and flags, and prints them with the database password masked")
    func hubLayers() async throws {
        let directory = try temporaryDirectory("hub-config")
        let config = directory.appendingPathComponent("hub.toml").path
        try """
            db = "postgres://gongxiang_hub:s3cret-pw@db.example/gongxiang?sslmode=verify-full"
            key = "keys/hub.key"
            batches = "/srv/gongxiang/batches"
            listen = "127.0.0.1:9000"
            log_level = "warning"
            batch_retention_days = 30
            [tls]
            certificate = "tls/hub.pem"
            key = "tls/hub.key"
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let result = try await GXBinary.run(["hub", "serve", "--config", config, "--log-level", "debug", "--print-config"],
                                      environment: ["GX_HUB_LISTEN": "0.0.0.0:8443", "GX_HUB_DB": ""])
        #expect(result.status == 0, "\(result.stderr)")
        let out = result.stdout
        #expect(!out.contains("s3cret-pw"), "\(out)")
        #expect(out.contains("db = \"postgres://gongxiang_hub:"), "\(out)")
        #expect(out.contains("listen = \"0.0.0.0:8443\"   # environment GX_HUB_LISTEN"), "\(out)")
        #expect(out.contains("log_level = \"debug\"   # flag"), "\(out)")
        #expect(out.contains("batch_retention_days = \"30.0\"   # config \(config)"), "\(out)")
        #expect(out.contains("key = \"\(directory.appendingPathComponent("keys/hub.key").path)\""), "relative paths are taken from the file's directory: \(out)")
        #expect(out.contains("[tls]") && out.contains("certificate = \"\(directory.appendingPathComponent("tls/hub.pem").path)\""), "\(out)")
        #expect(out.contains("# client_ca is not set"), "\(out)")
    }

    @Test("the working-day calendar files and the demand time limits are hub settings: file, environment, flags")
    func hubDemandSettings() async throws {
        let directory = try temporaryDirectory("hub-config")
        let config = directory.appendingPathComponent("hub.toml").path
        try """
            db = "hub.sqlite"
            calendar = ["calendar/china-2027.toml"]
            [demands]
            review_working_days = 3
            reply_working_days = 5
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let result = try await GXBinary.run(["hub", "serve", "--config", config, "--demand-reply-working-days", "15", "--print-config"],
                                            environment: ["GX_HUB_DEMANDS_REVIEW_WORKING_DAYS": "4"])
        #expect(result.status == 0, "\(result.stderr)")
        let out = result.stdout
        #expect(out.contains("calendar = \"\(directory.appendingPathComponent("calendar/china-2027.toml").path)\"   # config"), "\(out)")
        #expect(out.contains("[demands]"), "\(out)")
        #expect(out.contains("review_working_days = \"4\"   # environment GX_HUB_DEMANDS_REVIEW_WORKING_DAYS"), "\(out)")
        #expect(out.contains("reply_working_days = \"15\"   # flag"), "\(out)")

        let defaults = try await GXBinary.run(["hub", "serve", "--db", "hub.sqlite", "--print-config"])
        #expect(defaults.stdout.contains("review_working_days = \"2\"   # default") && defaults.stdout.contains("reply_working_days = \"10\"   # default"),
                "\(defaults.stdout)")
        // A limit out of bounds stops the hub before it serves, naming the setting.
        let refused = try await GXBinary.run(["hub", "serve", "--db", directory.appendingPathComponent("none.sqlite").path,
                                              "--demand-review-working-days", "0"])
        #expect(refused.status != 0 && refused.stderr.contains("demands.review_working_days"), "\(refused.stderr)")
    }

    /// A hub config file holding `text`, in a fresh directory.
    static func hubConfig(_ text: String) throws -> (directory: URL, path: String) {
        let directory = try temporaryDirectory("hub-config")
        let path = directory.appendingPathComponent("hub.toml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return (directory, path)
    }

    /// What `gx hub serve … --print-config` prints.
    static func printedSettings(_ arguments: [String], environment: [String: String] = [:]) async throws -> String {
        try await GXBinary.run(["hub", "serve"] + arguments + ["--print-config"], environment: environment).stdout
    }

    @Test("recent_payloads_mb is a hub setting (file, environment, flag, default 48); a value out of range stops the hub, naming it")
    func hubRecentPayloads() async throws {
        let (directory, config) = try Self.hubConfig("db = \"hub.sqlite\"\nrecent_payloads_mb = 16\n")
        let printed = try await Self.printedSettings(["--config", config])
        #expect(printed.contains("recent_payloads_mb = \"16\"   # config"), "\(printed)")
        let environment = try await Self.printedSettings(["--config", config], environment: ["GX_HUB_RECENT_PAYLOADS_MB": "0"])
        #expect(environment.contains("recent_payloads_mb = \"0\"   # environment GX_HUB_RECENT_PAYLOADS_MB"), "\(environment)")
        let defaults = try await Self.printedSettings(["--db", "hub.sqlite"])
        #expect(defaults.contains("recent_payloads_mb = \"48\"   # default"), "\(defaults)")
        let refused = try await GXBinary.run(["hub", "serve", "--db", directory.appendingPathComponent("none.sqlite").path, "--recent-payloads-mb", "5000"])
        #expect(refused.status != 0 && refused.stderr.contains("recent_payloads_mb"), "\(refused.stderr)")
    }

    @Test("trusted_proxies is a hub setting (an array in the file, ',' between addresses elsewhere); a name that is no IP address is refused")
    func hubTrustedProxies() async throws {
        let (directory, config) = try Self.hubConfig("db = \"hub.sqlite\"\ntrusted_proxies = [\"10.0.0.5\", \"fd00::5\"]\n")
        let printed = try await Self.printedSettings(["--config", config])
        #expect(printed.contains("trusted_proxies = \"10.0.0.5,fd00::5\"   # config"), "\(printed)")
        let flagged = try await Self.printedSettings(["--config", config, "--trusted-proxies", "10.0.0.6"])
        #expect(flagged.contains("trusted_proxies = \"10.0.0.6\"   # flag"), "\(flagged)")
        let refused = try await GXBinary.run(["hub", "serve", "--db", directory.appendingPathComponent("none.sqlite").path],
                                             environment: ["GX_HUB_TRUSTED_PROXIES": "10.0.0.5, balancer.example"])
        #expect(refused.status != 0 && refused.stderr.contains("trusted_proxies") && refused.stderr.contains("balancer.example"), "\(refused.stderr)")
    }

    @Test("where a hub keeps its payloads is a setting (payloads: files or postgres), refused before serving when it cannot hold")
    func hubPayloadPlace() async throws {
        let directory = try temporaryDirectory("hub-config")
        let config = directory.appendingPathComponent("hub.toml").path
        try "db = \"postgres://gongxiang_hub@db.example/gongxiang\"\npayloads = \"postgres\"\n".write(toFile: config, atomically: true, encoding: .utf8)
        let printed = try await GXBinary.run(["hub", "serve", "--config", config, "--print-config"])
        #expect(printed.status == 0 && printed.stdout.contains("payloads = \"postgres\"   # config \(config)"), "\(printed.stdout)\(printed.stderr)")
        let flagged = try await GXBinary.run(["hub", "serve", "--config", config, "--payloads", "files", "--print-config"],
                                             environment: ["GX_HUB_PAYLOADS": "postgres"])
        #expect(flagged.stdout.contains("payloads = \"files\"   # flag"), "\(flagged.stdout)")
        // SQLite has no database to keep payloads in; an unknown place is named.
        let sqlite = directory.appendingPathComponent("none.sqlite").path
        let onSQLite = try await GXBinary.run(["hub", "serve", "--db", sqlite, "--payloads", "postgres"])
        #expect(onSQLite.status != 0 && onSQLite.stderr.contains("payloads") && onSQLite.stderr.contains("SQLite"), "\(onSQLite.stderr)")
        let unknown = try await GXBinary.run(["hub", "serve", "--db", sqlite, "--payloads", "nfs"])
        #expect(unknown.status != 0 && unknown.stderr.contains("payloads") && unknown.stderr.contains("files or postgres"), "\(unknown.stderr)")
    }

    @Test("an unknown key in the hub's config file is refused with its line")
    func hubUnknownKey() async throws {
        let config = try temporaryDirectory("hub-config").appendingPathComponent("hub.toml").path
        try "db = \"hub.sqlite\"\nlisen = \"127.0.0.1:1\"\n".write(toFile: config, atomically: true, encoding: .utf8)
        let result = try await GXBinary.run(["hub", "serve", "--config", config, "--print-config"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("lisen") && result.stderr.contains("unknown field") && result.stderr.contains(":2"), "\(result.stderr)")
    }

    @Test("gx agent run --print-config shows environment overrides and masks a sink's database password")
    func agentOverrides() async throws {
        let directory = try temporaryDirectory("agent-config")
        let config = directory.appendingPathComponent("agent.toml").path
        try """
            hub = "http://127.0.0.1:8480"
            agency = "111100000000210552"
            token_file = "a.token"
            key_file = "a.key"
            state_dir = "state"
            [[consume]]
            agreement = "BJ-GX-2026-004"
            [consume.sink]
            kind = "postgres"
            url = "postgres://hr:s3cret-pw@db.hr.example/registers"
            table = "received"
            key = ["sfzh"]
            [[consume.map]]
            item = "公民身份号码"
            column = "sfzh"
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let result = try await GXBinary.run(["agent", "run", "--config", config, "--print-config"],
                                      environment: ["GX_AGENT_HUB": "https://hub.example:8480", "GX_AGENT_HUB_CA_FILE": "/etc/gongxiang/ca.pem"])
        #expect(result.status == 0, "\(result.stderr)")
        let out = result.stdout
        #expect(out.contains("hub = \"https://hub.example:8480\"   # environment GX_AGENT_HUB"), "\(out)")
        #expect(out.contains("hub_ca_file = \"/etc/gongxiang/ca.pem\"   # environment GX_AGENT_HUB_CA_FILE"), "\(out)")
        #expect(out.contains("token_file = \"\(directory.appendingPathComponent("a.token").path)\"   # config"), "\(out)")
        #expect(out.contains("BJ-GX-2026-004") && out.contains("db.hr.example") && !out.contains("s3cret-pw"), "\(out)")
    }
}
