import Foundation
import GRDB
import GXCrypto
import GXTestSupport
import Testing

/// A copy of the quickstart's state (hub database, key and batches, agencies, agent configurations and data)
/// for a test to serve and change on its own.
struct QuickstartCopy {
    let state: URL
    let pair: ExchangeTests.Pair
    var hubDatabase: String { state.appendingPathComponent("hub/hub.sqlite").path }

    static func make() async throws -> QuickstartCopy {
        let run = try await Quickstart.run()
        try #require(run.result.status == 0, "\(run.result.stderr.suffix(2000))")
        let state = try temporaryDirectory("quickstart-copy").appendingPathComponent("state")
        try run.copyState(to: state)
        return QuickstartCopy(state: state, pair: try #require(try ExchangeTests.pairs().first { $0.resource == "RK-001" }))
    }

    func agentConfig(_ agency: String) -> String {
        state.appendingPathComponent("agents/\(agency)/agent.toml").path
    }

    /// Points an agent at `hub`, with extra top-level settings (TLS files) after the URL.
    func pointAgent(_ agency: String, at hub: HubProcess, settings: [String: String] = [:]) throws {
        let path = agentConfig(agency)
        var lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let index = try #require(lines.firstIndex { $0.hasPrefix("hub = ") })
        let replacement = ["hub = \"\(hub.url)\""] + settings.sorted { $0.key < $1.key }.map { "\($0.key) = \"\($0.value)\"" }
        lines.replaceSubrange(index...index, with: replacement)
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// The provider's export for a third night: night 1's rows again, so the ~1 % night 2 changed changes back.
    func writeThirdNight() async throws {
        let csv = state.appendingPathComponent("agents/\(pair.provider)/data/\(pair.resource).csv").path
        let result = try await GXBinary.run(["sample", "--resource", pair.resource, "--rows", "3000", "--seed", "20261123", "--night", "1",
                                       "--invalid-every", "250", "--out", csv])
        try #require(result.status == 0, "\(result.stderr)")
    }

    func agentRun(_ agency: String) async throws -> ProcessResult {
        try await GXBinary.run(["agent", "run", "--config", agentConfig(agency)])
    }

    /// Night 3 through `hub`: the provider pushes, the consumer pulls; then the consumer must hold exactly the
    /// provider's valid rows.
    func runThirdNight() async throws {
        try await writeThirdNight()
        let pushed = try await agentRun(pair.provider)
        #expect(pushed.status == 0, "\(pushed.stderr.suffix(2000))")
        #expect(pushed.stdout.contains("provided \(pair.resource)"), "\(pushed.stdout)")
        let pulled = try await agentRun(pair.consumer)
        #expect(pulled.status == 0, "\(pulled.stderr.suffix(2000))")
        let expected = try await ExchangeTests.expectedLines(pair, state: state)
        #expect(try ExchangeTests.receivedLines(pair, state: state) == expected)
    }
}

/// A quickstart copy served over HTTPS by a certificate from a throwaway CA.
struct TLSWorld {
    let copy: QuickstartCopy
    let certificates: TestCertificates
    let hub: HubProcess
    var pair: ExchangeTests.Pair { copy.pair }
    var state: URL { copy.state }

    static func make(mutual: Bool) async throws -> TLSWorld {
        let copy = try await QuickstartCopy.make()
        let certificates = try TestCertificates.make(mutual ? "mutual" : "server")
        var arguments = ["--tls-certificate", certificates.serverCertificate, "--tls-key", certificates.serverKey]
        if mutual { arguments += ["--tls-client-ca", certificates.caFile] }
        let hub = try await HubProcess(database: copy.hubDatabase, directory: copy.state, arguments: arguments, caFile: certificates.caFile)
        return TLSWorld(copy: copy, certificates: certificates, hub: hub)
    }

    /// Points an agent at the TLS hub: the CA bundle, and optionally a client certificate.
    func configureAgent(_ agency: String, trustCA: Bool = true, clientCertificate: (certificate: String, key: String)? = nil) throws {
        var settings: [String: String] = [:]
        if trustCA { settings["hub_ca_file"] = certificates.caFile }
        if let clientCertificate {
            settings["client_certificate_file"] = clientCertificate.certificate
            settings["client_key_file"] = clientCertificate.key
        }
        try copy.pointAgent(agency, at: hub, settings: settings)
    }
}

@Suite("The hub over HTTPS, and with mutual TLS")
struct HubTLSTests {
    @Test("over HTTPS a provider pushes and a consumer pulls a night, and ends up with the provider's rows")
    func nightOverTLS() async throws {
        let world = try await TLSWorld.make(mutual: false)
        defer { world.hub.stop() }
        try world.configureAgent(world.pair.provider)
        try world.configureAgent(world.pair.consumer)
        try await world.copy.runThirdNight()
    }

    @Test("an agent that does not trust the hub's CA does not talk to it, and says why")
    func untrustedHubRefused() async throws {
        let world = try await TLSWorld.make(mutual: false)
        defer { world.hub.stop() }
        try world.configureAgent(world.pair.consumer, trustCA: false)
        let result = try await world.copy.agentRun(world.pair.consumer)
        #expect(result.status == 4, "\(result.stderr.suffix(2000))")
        #expect(result.stderr.lowercased().contains("certificate"), "\(result.stderr.suffix(2000))")
    }

    @Test("with mutual TLS agents presenting their own certificates complete a night")
    func nightOverMutualTLS() async throws {
        let world = try await TLSWorld.make(mutual: true)
        defer { world.hub.stop() }
        try world.configureAgent(world.pair.provider, clientCertificate: try world.certificates.client("agency:\(world.pair.provider)"))
        try world.configureAgent(world.pair.consumer, clientCertificate: try world.certificates.client("agency:\(world.pair.consumer)"))
        try await world.copy.runThirdNight()
    }

    @Test("with mutual TLS a request without a client certificate is refused, naming what is missing")
    func mutualTLSNeedsCertificate() async throws {
        let world = try await TLSWorld.make(mutual: true)
        defer { world.hub.stop() }
        let result = try await GXBinary.run(["agencies", "list", "--hub", world.hub.url, "--hub-ca", world.certificates.caFile,
                                       "--token-file", world.state.appendingPathComponent("hub/admin.token").path])
        #expect(result.status != 0)
        #expect(result.stderr.contains("401") && result.stderr.contains("client certificate"), "\(result.stderr)")
    }

    @Test("with mutual TLS one agency's certificate cannot carry another agency's token")
    func mutualTLSCertificateMustMatchToken() async throws {
        let world = try await TLSWorld.make(mutual: true)
        defer { world.hub.stop() }
        let borrowed = try world.certificates.client("agency:\(world.pair.provider)")
        let result = try await GXBinary.run(["agreement", "list", "--hub", world.hub.url, "--hub-ca", world.certificates.caFile,
                                       "--client-certificate", borrowed.certificate, "--client-key", borrowed.key,
                                       "--token-file", world.state.appendingPathComponent("agencies/\(world.pair.consumer).token").path])
        #expect(result.status != 0)
        // Answered as an unknown token is: the certificate's holder learns nothing about whose token it is.
        #expect(result.stderr.contains("401") && result.stderr.contains("agency:\(world.pair.provider)"), "\(result.stderr)")
        #expect(!result.stderr.contains(world.pair.consumer), "\(result.stderr)")
    }

    /// `curl` over the TLS hub: the status and body of `GET path` with `token`, and optionally a client certificate.
    static func answer(_ world: TLSWorld, _ path: String, token: String, certificate: (certificate: String, key: String)? = nil) async throws -> String {
        let client = certificate.map { ["--cert", $0.certificate, "--key", $0.key] } ?? []
        let result = try await ProcessRunner.run("/usr/bin/curl", ["-sS", "--cacert", world.certificates.caFile, "-H", "Authorization: Bearer \(token)",
                                                                   "-w", "\n%{http_code}"] + client + [world.hub.url + path])
        try #require(result.status == 0, "\(result.stderr)")
        return result.stdout
    }

    @Test("with mutual TLS and no certificate, a valid token and an unknown one get the same answer")
    func mutualTLSDoesNotTellTokenValidity() async throws {
        let world = try await TLSWorld.make(mutual: true)
        defer { world.hub.stop() }
        let valid = try String(contentsOf: world.state.appendingPathComponent("agencies/\(world.pair.consumer).token"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let withValid = try await Self.answer(world, "/v1/agreements", token: valid)
        let withUnknown = try await Self.answer(world, "/v1/agreements", token: "gx_" + String(repeating: "0", count: 64))
        #expect(withValid == withUnknown)
        #expect(withValid.hasSuffix("\n401") && withValid.contains("client certificate"), "\(withValid)")
    }

    @Test("with mutual TLS a certificate whose subject has two CNs is refused, whichever of them names the token's principal")
    func mutualTLSRefusesTwoCommonNames() async throws {
        let world = try await TLSWorld.make(mutual: true)
        defer { world.hub.stop() }
        let token = world.state.appendingPathComponent("agencies/\(world.pair.provider).token").path
        for names in [["auditor:auditor", "agency:\(world.pair.provider)"], ["agency:\(world.pair.provider)", "auditor:auditor"]] {
            let certificate = try world.certificates.client(names[0], names[1])
            let result = try await GXBinary.run(["agreement", "list", "--hub", world.hub.url, "--hub-ca", world.certificates.caFile,
                                                 "--client-certificate", certificate.certificate, "--client-key", certificate.key, "--token-file", token])
            #expect(result.status != 0, "\(names)")
            #expect(result.stderr.contains("401") && result.stderr.contains("2 CNs"), "\(result.stderr)")
        }
    }

    @Test("with mutual TLS a certificate names a kind: an auditor named like an agency's code neither borrows nor lends that agency's certificate")
    func mutualTLSComparesKind() async throws {
        let world = try await TLSWorld.make(mutual: true)
        defer { world.hub.stop() }
        let code = world.pair.provider
        // An auditor credential named like the agency, as a database from before names were kept apart may hold.
        let auditorToken = "gx_" + String(repeating: "a", count: 64)
        try await DatabaseQueue(path: world.copy.hubDatabase).write { db in
            try db.execute(sql: "INSERT INTO credentials (token_hash, principal_kind, principal_id, created_at) VALUES (?, 'auditor', ?, '2026-12-04T00:00:00Z')",
                           arguments: [SM3.digest(auditorToken).hex, code])
        }
        let agencyToken = try String(contentsOf: world.state.appendingPathComponent("agencies/\(code).token"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let agencyCertificate = try world.certificates.client("agency:\(code)")
        let bareCertificate = try world.certificates.client(code)
        let auditorCertificate = try world.certificates.client("auditor:\(code)")

        let agencyWithAuditorToken = try await Self.answer(world, "/v1/audit", token: auditorToken, certificate: agencyCertificate)
        #expect(agencyWithAuditorToken.hasSuffix("\n401"), "\(agencyWithAuditorToken)")
        let bareWithAuditorToken = try await Self.answer(world, "/v1/audit", token: auditorToken, certificate: bareCertificate)
        #expect(bareWithAuditorToken.hasSuffix("\n401") && bareWithAuditorToken.contains("does not name a principal"), "\(bareWithAuditorToken)")
        let auditorWithAgencyToken = try await Self.answer(world, "/v1/agreements", token: agencyToken, certificate: auditorCertificate)
        #expect(auditorWithAgencyToken.hasSuffix("\n401"), "\(auditorWithAgencyToken)")
        let auditorWithOwnToken = try await Self.answer(world, "/v1/audit", token: auditorToken, certificate: auditorCertificate)
        #expect(auditorWithOwnToken.hasSuffix("\n200"), "\(auditorWithOwnToken)")
    }

    @Test("with mutual TLS the admin with a certificate naming it is served")
    func mutualTLSAdminServed() async throws {
        let world = try await TLSWorld.make(mutual: true)
        defer { world.hub.stop() }
        let admin = try world.certificates.client("admin:authority")
        let result = try await GXBinary.run(["agencies", "list", "--hub", world.hub.url, "--hub-ca", world.certificates.caFile,
                                       "--client-certificate", admin.certificate, "--client-key", admin.key,
                                       "--token-file", world.state.appendingPathComponent("hub/admin.token").path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains(world.pair.provider))
    }

    /// A fresh hub (`gx hub init`) serving HTTPS with an RSA certificate, the kind that allows static-RSA key exchange.
    static func rsaHub() async throws -> (HubProcess, TestCertificates) {
        let directory = try temporaryDirectory("hub-rsa")
        let database = directory.appendingPathComponent("hub.sqlite").path
        let initialised = try await GXBinary.run(["hub", "init", "--db", database])
        try #require(initialised.status == 0, "\(initialised.stderr)")
        let certificates = try TestCertificates.make("rsa", rsaServer: true)
        let hub = try await HubProcess(database: database, directory: directory,
                                       arguments: ["--tls-certificate", certificates.serverCertificate, "--tls-key", certificates.serverKey],
                                       caFile: certificates.caFile)
        return (hub, certificates)
    }

    /// `openssl s_client` against the hub with `options`; the client's own security level is lowered to 0 so that
    /// a refusal is the hub's, not the client's.
    static func handshake(_ hub: HubProcess, _ certificates: TestCertificates, _ options: [String]) async throws -> ProcessResult {
        try await ProcessRunner.run(ProcessRunner.which("openssl") ?? "/usr/bin/openssl",
                                    ["s_client", "-connect", "127.0.0.1:\(hub.port)", "-CAfile", certificates.caFile, "-verify_return_error", "-brief"] + options,
                                    input: "")
    }

    @Test("with an RSA certificate the hub accepts TLS 1.2 with ECDHE and AEAD suites, and TLS 1.3")
    func acceptedSuites() async throws {
        let (hub, certificates) = try await Self.rsaHub()
        defer { hub.stop() }
        for suite in ["ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-RSA-CHACHA20-POLY1305"] {
            let result = try await Self.handshake(hub, certificates, ["-tls1_2", "-cipher", "\(suite):@SECLEVEL=0"])
            #expect(result.status == 0 && result.stderr.contains(suite), "\(suite): \(result.stderr)")
        }
        let modern = try await Self.handshake(hub, certificates, ["-tls1_3"])
        #expect(modern.status == 0 && modern.stderr.contains("TLSv1.3"), "\(modern.stderr)")
    }

    @Test("with an RSA certificate the hub refuses static-RSA key exchange, CBC and SHA-1 suites, and TLS 1.1")
    func refusedSuites() async throws {
        let (hub, certificates) = try await Self.rsaHub()
        defer { hub.stop() }
        let refused = [
            ["-tls1_2", "-cipher", "AES128-SHA:@SECLEVEL=0"],              // static RSA, CBC, SHA-1
            ["-tls1_2", "-cipher", "AES256-GCM-SHA384:@SECLEVEL=0"],       // static RSA (no forward secrecy), AEAD
            ["-tls1_2", "-cipher", "ECDHE-RSA-AES128-SHA:@SECLEVEL=0"],    // ECDHE, CBC, SHA-1
            ["-tls1_2", "-cipher", "ECDHE-RSA-AES256-SHA384:@SECLEVEL=0"], // ECDHE, CBC
            ["-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"],
        ]
        for options in refused {
            let result = try await Self.handshake(hub, certificates, options)
            #expect(result.status != 0, "\(options) was accepted: \(result.stderr)")
        }
    }

    @Test("SIGHUP makes the hub serve a renewed certificate from the same files, without a restart")
    func sighupReloadsCertificate() async throws {
        let copy = try await QuickstartCopy.make()
        let old = try TestCertificates.make("before"), renewed = try TestCertificates.make("renewed")
        let files = try temporaryDirectory("hub-tls")
        let certificate = files.appendingPathComponent("hub.pem").path, key = files.appendingPathComponent("hub.key").path
        func install(_ certificates: TestCertificates) throws {
            for (from, to) in [(certificates.serverCertificate, certificate), (certificates.serverKey, key)] {
                try? FileManager.default.removeItem(atPath: to)
                try FileManager.default.copyItem(atPath: from, toPath: to)
            }
        }
        try install(old)
        let hub = try await HubProcess(database: copy.hubDatabase, directory: copy.state,
                                 arguments: ["--tls-certificate", certificate, "--tls-key", key], caFile: old.caFile)
        defer { hub.stop() }
        func list(trusting ca: String) async throws -> ProcessResult {
            try await GXBinary.run(["agencies", "list", "--hub", hub.url, "--hub-ca", ca, "--token-file", copy.state.appendingPathComponent("hub/admin.token").path])
        }
        await #expect(try list(trusting: old.caFile).status == 0)
        await #expect(try list(trusting: renewed.caFile).status != 0)

        try install(renewed)
        kill(hub.process.processIdentifier, SIGHUP)
        var served = try await list(trusting: renewed.caFile)
        for _ in 0..<50 where served.status != 0 {
            try await Task.sleep(for: .milliseconds(100))
            served = try await list(trusting: renewed.caFile)
        }
        #expect(served.status == 0, "\(served.stderr)")
        await #expect(try list(trusting: old.caFile).status != 0)
        #expect(hub.process.isRunning)
        let log = try String(contentsOf: hub.log, encoding: .utf8)
        #expect(log.contains("reloaded the TLS certificate"), "\(log)")
    }
}
