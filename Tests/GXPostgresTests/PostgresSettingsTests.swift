import GXPostgres
import GXTestSupport
import Testing

@Suite("PostgreSQL connection settings, as libpq reads them")
struct PostgresSettingsTests {
    @Test("a URL gives user, percent-encoded password, host, port, database and TLS mode")
    func fullURL() throws {
        let settings = try PostgresSettings.parse("postgres://hub%40ops:p%40ss%3Aword@db.example:6432/gong_xiang?sslmode=verify-full&sslrootcert=/etc/ca.pem",
                                                  environment: [:])
        #expect(settings == PostgresSettings(host: "db.example", port: 6432, username: "hub@ops", password: "p@ss:word", database: "gong_xiang",
                                             tlsMode: .verifyFull, rootCertificatePath: "/etc/ca.pem"))
    }

    @Test("`postgres` alone takes everything from the PG* variables")
    func environmentOnly() throws {
        let settings = try PostgresSettings.parse("postgres", environment: [
            "PGHOST": "10.0.0.5", "PGPORT": "5433", "PGUSER": "gongxiang", "PGPASSWORD": "secret", "PGDATABASE": "hub", "PGSSLMODE": "require",
        ])
        #expect(settings == PostgresSettings(host: "10.0.0.5", port: 5433, username: "gongxiang", password: "secret", database: "hub", tlsMode: .require))
    }

    @Test("what the URL leaves out comes from the environment; what it names wins")
    func urlOverEnvironment() throws {
        let settings = try PostgresSettings.parse("postgres://alice@db/registers", environment: [
            "PGHOST": "ignored", "PGUSER": "ignored", "PGPASSWORD": "from-env", "PGPORT": "7000",
        ])
        #expect(settings.host == "db")
        #expect(settings.username == "alice")
        #expect(settings.password == "from-env")
        #expect(settings.port == 7000)
        #expect(settings.database == "registers")
        #expect(settings.tlsMode == .prefer)
    }

    @Test("the database defaults to the user name, as in libpq")
    func databaseDefaultsToUser() throws {
        #expect(try PostgresSettings.parse("postgres://bob@localhost", environment: [:]).database == "bob")
    }

    @Test("unusable settings are refused naming the setting",
          arguments: [
              ("postgres://localhost/db", "user"),
              ("postgres://u@h/db?sslmode=strict", "sslmode"),
              ("postgres://u@h/db?sslmode=verify-full", "sslrootcert"),
              ("postgres://u@h:99999/db", "port"),
              ("postgres://u@h/db?target_session_attrs=any", "target_session_attrs"),
          ])
    func refused(url: String, setting: String) {
        let error = #expect(throws: PostgresSettingsError.self) { try PostgresSettings.parse(url, environment: [:]) }
        #expect(error?.setting == setting, "\(error?.description ?? "")")
    }

    @Test("descriptions and echoed URLs never carry the password")
    func passwordsStayHidden() throws {
        let settings = try PostgresSettings.parse("postgres://hub:hunter2@db:5432/gx?sslmode=require", environment: [:])
        #expect(!settings.description.contains("hunter2"))
        #expect(!"\(settings)".contains("hunter2"))
        #expect(!String(reflecting: settings).contains("hunter2"))
        #expect(settings.description == "postgres://hub@db:5432/gx?sslmode=require")
        #expect(PostgresSettings.redacting("postgres://hub:hunter2@db/gx") == "postgres://hub:***@db/gx")
        let error = #expect(throws: PostgresSettingsError.self) { try PostgresSettings.parse("postgresql://hub:hunter2@db/gx?x=1", environment: [:]) }
        #expect(error?.description.contains("hunter2") == false)
    }

    @Test("a host starting with / is the directory of the server's Unix socket")
    func unixSocket() throws {
        let settings = try PostgresSettings.parse("postgres", environment: ["PGHOST": "/var/run/postgresql", "PGUSER": "gx"])
        let configuration = try settings.connectionConfiguration()
        #expect(configuration.unixSocketPath == "/var/run/postgresql/.s.PGSQL.5432")
    }
}

@Suite("TLS to the test PostgreSQL")
struct PostgresTLSTests {
    /// `scripts/test-postgres.sh` serves TLS with a certificate from its own CA, and refuses role `tlsonly`
    /// anything but TLS.
    func server(_ query: String) throws -> PostgresSettings {
        var settings = try TestPostgres.server()
        settings = try PostgresSettings.parse("postgres://tlsonly@\(settings.host):\(settings.port)/postgres?" + query, environment: [:])
        return settings
    }

    func sslInUse(_ settings: PostgresSettings) async throws -> String? {
        try await TestPostgres.rows("SELECT ssl::text FROM pg_stat_ssl WHERE pid = pg_backend_pid()", in: settings).first?.first ?? nil
    }

    @Test("verify-full with the server's CA connects over TLS")
    func verifyFull() async throws {
        #expect(try await sslInUse(try server("sslmode=verify-full&sslrootcert=\(try TestPostgres.certificateAuthority())")) == "true")
    }

    @Test("require encrypts without a CA bundle")
    func require() async throws {
        #expect(try await sslInUse(try server("sslmode=require")) == "true")
    }

    @Test("disable does not encrypt, and a server that insists on TLS refuses it")
    func disableRefused() async throws {
        await #expect(throws: TestPostgres.Unavailable.self) { _ = try await sslInUse(try server("sslmode=disable")) }
    }

    @Test("verify-full refuses a server whose certificate another CA signed")
    func wrongAuthority() async throws {
        let otherCA = try TestPostgres.certificateAuthority().replacing("ca.pem", with: "other-ca.pem")
        await #expect(throws: TestPostgres.Unavailable.self) {
            _ = try await sslInUse(try server("sslmode=verify-full&sslrootcert=\(otherCA)"))
        }
    }
}
