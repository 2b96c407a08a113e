import Foundation
import GXConsole
import GXDomain
import GXHub
import GXStorage
import Hummingbird
import HummingbirdTesting
import GXTestSupport
import Testing

/// The authority's acts from the console, and what every page is sent with.
@Suite("Console acts and pages")
struct ConsoleActTests {
    static let suspend = "/console/agreements/BJ-GX-2026-001/act/suspend"

    @Test("a POST without a CSRF token, or with a wrong one, is refused and changes nothing", arguments: StoreBackend.allCases)
    func csrf(backend: StoreBackend) async throws {
        let fixture = try await ConsoleFixture.make(backend)
        let admin = fixture.adminToken
        try await fixture.withClient { client in
            var browser = Browser(client)
            try await browser.signIn(admin)
            let missing = try await browser.post(Self.suspend, [("reason", "test"), ("confirm", "yes")])
            #expect(missing.status == .forbidden)
            let wrong = try await browser.post(Self.suspend, [("csrf", String(repeating: "0", count: 64)), ("reason", "test"), ("confirm", "yes")])
            #expect(wrong.status == .forbidden)
            #expect(wrong.text.contains("未做任何更改"))
        }
        #expect(try await fixture.state(of: "BJ-GX-2026-001") == .active)
        #expect(try await fixture.store.auditEntries(matching: AuditQuery(action: "agreement.suspended")).isEmpty)
    }

    @Test("the authority suspends with a reason and a confirmation: the API's workflow, audit entry and new state", arguments: StoreBackend.allCases)
    func suspend(backend: StoreBackend) async throws {
        let fixture = try await ConsoleFixture.make(backend)
        let admin = fixture.adminToken
        try await fixture.withClient { client in
            var browser = Browser(client)
            try await browser.signIn(admin)
            let csrf = try await browser.csrf()
            let form = try await browser.get(Self.suspend)
            #expect(form.text.contains("name=\"reason\""))
            #expect(!form.text.contains("nil"), "an absent error must leave no trace on the page")
            // Unconfirmed, or without a reason: nothing happens and the form says what is missing.
            let unconfirmed = try await browser.post(Self.suspend, [("csrf", csrf), ("reason", "数据质量问题")])
            #expect(unconfirmed.status == .badRequest)
            let reasonless = try await browser.post(Self.suspend, [("csrf", csrf), ("reason", "  "), ("confirm", "yes")])
            #expect(reasonless.status == .badRequest)
            #expect(try await fixture.state(of: "BJ-GX-2026-001") == .active)

            let done = try await browser.post(Self.suspend, [("csrf", csrf), ("reason", "数据质量问题"), ("confirm", "yes")])
            #expect(done.status == .seeOther)
            let page = try await browser.get(try #require(done.location))
            #expect(page.text.contains("已暂停"))
            #expect(page.text.contains("数据质量问题"))
            #expect(page.text.contains("/act/resume"))
        }
        #expect(try await fixture.state(of: "BJ-GX-2026-001") == .suspended)
        let entries = try await fixture.store.auditEntries(matching: AuditQuery(action: "agreement.suspended"))
        #expect(entries.count == 1)
        #expect(entries.first?.actor == "admin:authority")
        #expect(entries.first?.details["reason"] == .string("数据质量问题"))
    }

    @Test("a purpose holding <script> is shown as text", arguments: StoreBackend.allCases)
    func escaping(backend: StoreBackend) async throws {
        let fixture = try await ConsoleFixture.make(backend)
        try await fixture.importAgreement("BJ-GX-2026-004", through: .draft, purpose: "<script>alert('x')</script> 核验")
        let admin = fixture.adminToken
        try await fixture.withClient { client in
            var browser = Browser(client)
            try await browser.signIn(admin)
            for path in ["/console/agreements/BJ-GX-2026-004", "/console/agreements"] {
                let page = try await browser.get(path)
                #expect(page.text.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; 核验"), "\(path)")
                #expect(!page.text.contains("<script>"), "\(path)")
            }
        }
    }

    @Test("every console answer carries CSP, frame, referrer and no-store headers, errors included", arguments: StoreBackend.allCases)
    func securityHeaders(backend: StoreBackend) async throws {
        let fixture = try await ConsoleFixture.make(backend)
        let admin = fixture.adminToken
        try await fixture.withClient { client in
            var browser = Browser(client)
            var responses = [try await browser.get("/console/"), try await browser.get("/console/static/console.css"),
                             try await browser.post("/console/sign-in", [("token", "x")])]
            try await browser.signIn(admin)
            responses += [try await browser.get("/console/overview"), try await browser.get("/console/no-such-page"),
                          try await browser.get("/console/agreements/NO-SUCH")]
            for response in responses {
                #expect(response.headers[.contentSecurityPolicy] == "default-src 'self'")
                #expect(response.headers[HTTPFields.Element.Name("X-Frame-Options")!] == "DENY")
                #expect(response.headers[HTTPFields.Element.Name("Referrer-Policy")!] == "no-referrer")
                #expect(response.headers[.cacheControl] == "no-store")
            }
            #expect(responses[4].status == .notFound)
            #expect(responses[5].status == .notFound)
        }
    }

    @Test("the agreement page shows each signature verifying, with the openssl command and the bytes it checks", arguments: StoreBackend.allCases)
    func signatures(backend: StoreBackend) async throws {
        let fixture = try await ConsoleFixture.make(backend)
        let admin = fixture.adminToken
        let hubKey = fixture.hub.key.publicKey
        try await fixture.withClient { client in
            var browser = Browser(client)
            try await browser.signIn(admin)
            let page = try await browser.get("/console/agreements/BJ-GX-2026-001")
            #expect(page.text.components(separatedBy: "验证通过").count - 1 == 3)
            #expect(page.text.contains("openssl dgst -sm3 -verify BJ-GX-2026-001-hub.pem -signature BJ-GX-2026-001-hub.sig -sigopt distid:1234567812345678 BJ-GX-2026-001-filing.json"))
            let filing = try await browser.get("/console/agreements/BJ-GX-2026-001/files/filing.json")
            let signature = try await browser.get("/console/agreements/BJ-GX-2026-001/files/hub.sig")
            #expect(hubKey.isValidSignature(Array(buffer: signature.body), for: Array(buffer: filing.body)))
        }
    }

    @Test("the auditor searches the log, verifies the chain and exports the search as CSV", arguments: StoreBackend.allCases)
    func auditPages(backend: StoreBackend) async throws {
        let fixture = try await ConsoleFixture.make(backend)
        let (admin, auditor) = (fixture.adminToken, fixture.auditorToken)
        try await fixture.withClient { client in
            var authority = Browser(client)
            try await authority.signIn(admin)
            try await authority.post(Self.suspend, [("csrf", try await authority.csrf()), ("reason", "核查"), ("confirm", "yes")]).expect(.seeOther)
            var browser = Browser(client)
            try await browser.signIn(auditor)
            let search = try await browser.get("/console/audit?action=agreement.suspended")
            #expect(search.text.contains("agreement.suspended"))
            #expect(!search.text.contains("agreement.imported"))
            // The auditor's own sign-in is the newest entry and no checkpoint covers it yet: linked, not proven.
            let unsigned = try await browser.get("/console/audit/verify")
            #expect(unsigned.text.contains("尚未被平台签名覆盖") && !unsigned.text.contains("校验通过"))
            _ = try await fixture.hub.signCheckpoint()
            let verify = try await browser.get("/console/audit/verify")
            #expect(verify.text.contains("校验通过"))
            let csv = try await browser.get("/console/audit/export.csv?action=agreement.suspended")
            let lines = csv.text.split(separator: "\r\n")
            #expect(lines.count == 3)
            #expect(lines[0] == "\u{FEFF}# selection of the audit log (not the whole chain): action=agreement.suspended")
            #expect(lines[2].contains(",admin:authority,agreement.suspended,BJ-GX-2026-001,"))
            #expect(csv.headers[.contentDisposition] == "attachment; filename=\"audit-selection.csv\"")
        }
    }

    @Test("the auditor searches by resource, and downloads the search as NDJSON that names the selection", arguments: StoreBackend.allCases)
    func auditByResource(backend: StoreBackend) async throws {
        let fixture = try await ConsoleFixture.make(backend)
        let auditor = fixture.auditorToken
        let housing = try #require(try await fixture.store.agreement(id: "BJ-GX-2026-001")).terms.resourceCode
        let expected = try await fixture.store.auditEntries(matching: AuditQuery(resource: housing, limit: 1000))
        let others = try await fixture.store.auditEntries(matching: AuditQuery(limit: 1000)).filter { entry in !expected.contains { $0.seq == entry.seq } }
        try #require(!expected.isEmpty && !others.isEmpty)
        try await fixture.withClient { client in
            var browser = Browser(client)
            try await browser.signIn(auditor)
            let form = try await browser.get("/console/audit")
            #expect(form.text.contains("name=\"resource\""))
            let search = try await browser.get("/console/audit?resource=\(housing)")
            let shown = search.text.components(separatedBy: "<tr><td>").dropFirst().compactMap { Int64($0.prefix { $0.isNumber }) }
            #expect(shown == expected.map(\.seq))
            #expect(search.text.contains("/console/audit/export.ndjson?resource="))
            let ndjson = try await browser.get("/console/audit/export.ndjson?resource=\(housing)")
            let lines = ndjson.text.split(separator: "\n").map { try? JSONDecoder().decode(HubAPI.ExportLine.self, from: Data($0.utf8)) }
            #expect(lines.first??.selection == ["resource": housing])
            #expect(lines.compactMap { $0?.entry?.seq } == expected.map(\.seq))
            #expect(lines.last??.checkpoint != nil)
        }
    }
}
