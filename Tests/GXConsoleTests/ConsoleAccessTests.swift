import Foundation
import GXConsole
import GXDomain
import GXHub
import GXStorage
import Hummingbird
import HummingbirdTesting
import GXTestSupport
import Testing

/// Signing in and out, sessions, and who may open which page.
@Suite("Console access")
struct ConsoleAccessTests {
    @Test("a visitor without a session gets the sign-in page at /console/, with a token field posting to /console/sign-in", arguments: StoreBackend.allCases)
    func signInPage(backend: StoreBackend) async throws {
        let fixture = try await ConsoleFixture.make(backend)
        try await fixture.withClient { client in
            let page = try await Browser(client).get("/console/")
            #expect(page.status == .ok)
            #expect(page.text.contains("action=\"/console/sign-in\""))
            #expect(page.text.contains("name=\"token\""))
            #expect(page.text.contains("登录控制台"))
            // A deeper page without a session sends the visitor to sign in.
            let deeper = try await Browser(client).get("/console/overview")
            #expect(deeper.status == .seeOther)
            #expect(deeper.location == "/console/")
        }
    }

    @Test("signing in sets an HttpOnly SameSite=Strict session cookie, stores only its hash, and audits the principal", arguments: StoreBackend.allCases)
    func signIn(backend: StoreBackend) async throws {
        let fixture = try await ConsoleFixture.make(backend)
        let admin = fixture.adminToken
        let session = try await fixture.withClient { client in
            var browser = Browser(client)
            let response = try await browser.signIn(admin)
            #expect(response.status == .seeOther)
            #expect(response.location == "/console/overview")
            let cookie = try #require(response.setCookie("gx_console"))
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("SameSite=Strict"))
            #expect(cookie.contains("Path=/console"))
            #expect(!cookie.contains("Secure"), "a plain-HTTP hub cannot set a Secure cookie the browser would send back")
            let overview = try await browser.get("/console/overview")
            #expect(overview.status == .ok)
            #expect(overview.text.contains("概览"))
            return try #require(browser.session)
        }
        #expect(try await fixture.store.consoleSession(tokenHash: session) == nil, "the store must not hold the clear session token")
        #expect(try await fixture.store.consoleSession(tokenHash: Credentials.hash(of: session))?.principal == .admin(name: "authority"))
        let entries = try await fixture.store.auditEntries(matching: AuditQuery(action: "console.signed_in"))
        #expect(entries.map(\.actor) == ["admin:authority"])
    }

    @Test("a wrong token is refused and audited; after five failures the address must wait even with a right token", arguments: StoreBackend.allCases)
    func failedSignIns(backend: StoreBackend) async throws {
        // One instant throughout: the one-second wait after the fifth failure must not pass on a slow machine.
        let instant = Date()
        let fixture = try await ConsoleFixture.make(backend, now: { instant })
        let admin = fixture.adminToken
        try await fixture.withClient { client in
            var browser = Browser(client)
            for _ in 0..<5 {
                let refused = try await browser.signIn("gx_" + String(repeating: "0", count: 64))
                #expect(refused.status == .unauthorized)
                #expect(refused.text.contains("令牌无效"))
            }
            let slowed = try await browser.signIn(admin)
            #expect(slowed.status == .tooManyRequests)
            #expect(browser.session == nil)
        }
        #expect(try await fixture.store.auditEntries(matching: AuditQuery(action: "console.sign_in_failed")).count == 5)
        #expect(try await fixture.store.auditEntries(matching: AuditQuery(action: "console.signed_in")).isEmpty)
    }

    @Test("a sign-in without the sign-in form's token is refused", arguments: StoreBackend.allCases)
    func signInWithoutFormToken(backend: StoreBackend) async throws {
        let fixture = try await ConsoleFixture.make(backend)
        let admin = fixture.adminToken
        try await fixture.withClient { client in
            let response = try await Browser(client).post("/console/sign-in", [("token", admin)])
            #expect(response.status == .forbidden)
            #expect(response.setCookie("gx_console") == nil)
        }
    }

    @Test("a session idle for more than 30 minutes, or older than 12 hours, goes back to sign-in", arguments: StoreBackend.allCases)
    func expiredSession(backend: StoreBackend) async throws {
        let fixture = try await ConsoleFixture.make(backend)
        let credential = Credentials.hash(of: fixture.adminToken)
        let now = Date()
        let idle = (token: "idle-session-token", opened: now.addingTimeInterval(-3600), seen: now.addingTimeInterval(-31 * 60))
        let old = (token: "old-session-token", opened: now.addingTimeInterval(-12 * 3600 - 60), seen: now.addingTimeInterval(-60))
        for session in [idle, old] {
            try await fixture.store.openConsoleSession(ConsoleSession(tokenHash: Credentials.hash(of: session.token), principal: .admin(name: "authority"),
                                                                      credentialHash: credential, openedAt: Timestamp.string(from: session.opened),
                                                                      lastSeenAt: Timestamp.string(from: session.seen)))
        }
        try await fixture.withClient { client in
            for token in [idle.token, old.token] {
                var browser = Browser(client)
                browser.session = token
                let response = try await browser.get("/console/overview")
                #expect(response.status == .seeOther)
                #expect(response.location == "/console/?expired=1")
                let signIn = try await browser.get("/console/?expired=1")
                #expect(signIn.text.contains("会话已结束"))
            }
        }
        #expect(try await fixture.store.consoleSession(tokenHash: Credentials.hash(of: idle.token)) == nil)
    }

    @Test("signing out ends the session in the store", arguments: StoreBackend.allCases)
    func signOut(backend: StoreBackend) async throws {
        let fixture = try await ConsoleFixture.make(backend)
        let auditor = fixture.auditorToken
        let session = try await fixture.withClient { client in
            var browser = Browser(client)
            try await browser.signIn(auditor)
            let out = try await browser.post("/console/sign-out", [("csrf", try await browser.csrf())])
            #expect(out.status == .seeOther)
            #expect(out.setCookie("gx_console")?.contains("Max-Age=0") == true)
            let after = try await browser.get("/console/overview")
            #expect(after.status == .seeOther)
            return try #require(browser.session)
        }
        #expect(try await fixture.store.consoleSession(tokenHash: Credentials.hash(of: session)) == nil)
    }

    @Test("an agency opens only its own agreements and no admin or audit page", arguments: StoreBackend.allCases)
    func agencyPages(backend: StoreBackend) async throws {
        let fixture = try await ConsoleFixture.make(backend)
        try await fixture.importAgreement("BJ-GX-2026-004", through: .draft)
        let outsider = fixture.agencyTokens[ConsoleFixture.outsider]!
        try await fixture.withClient { client in
            var browser = Browser(client)
            try await browser.signIn(outsider)
            for path in ["/console/overview", "/console/agencies", "/console/audit", "/console/audit/verify", "/console/audit/export.csv",
                         "/console/agreements/BJ-GX-2026-001", "/console/agreements/BJ-GX-2026-001/exchange",
                         "/console/agreements/BJ-GX-2026-001/files/terms.json", "/console/agreements/BJ-GX-2026-004/act/revoke"] {
                let response = try await browser.get(path)
                #expect(response.status == .forbidden, "\(path)")
            }
            let list = try await browser.get("/console/agreements")
            #expect(list.status == .ok)
            #expect(list.text.contains("BJ-GX-2026-004"))
            #expect(!list.text.contains("BJ-GX-2026-001"))
            let home = try await browser.get("/console/agency")
            #expect(home.text.contains("BJ-GX-2026-004"))
            #expect(!home.text.contains("BJ-GX-2026-001"))
            let own = try await browser.get("/console/agreements/BJ-GX-2026-004")
            #expect(own.status == .ok)
        }
    }

    @Test("an error page carries the signed-in person's own navigation and sign-out; a visitor without a session gets a link home only",
          arguments: StoreBackend.allCases)
    func errorPagesCarryNavigation(backend: StoreBackend) async throws {
        let fixture = try await ConsoleFixture.make(backend)
        let outsider = fixture.agencyTokens[ConsoleFixture.outsider]!
        try await fixture.withClient { client in
            let anonymous = try await Browser(client).get("/console/no-such-page")
            #expect(anonymous.status == .notFound)
            #expect(!anonymous.text.contains("<nav") && !anonymous.text.contains("/console/sign-out"))
            #expect(anonymous.text.contains("href=\"/console/\""))

            var browser = Browser(client)
            try await browser.signIn(outsider)
            for (path, status) in [("/console/overview", HTTPResponse.Status.forbidden), ("/console/no-such-page", .notFound),
                                   ("/console/agreements/NO-SUCH", .notFound)] {
                let page = try await browser.get(path)
                #expect(page.status == status, "\(path)")
                // The agency's own navigation (its home, not the authority's overview), who it is, and sign-out.
                #expect(page.text.contains("<nav") && page.text.contains("href=\"/console/agency\""), "\(path)")
                #expect(!page.text.contains("href=\"/console/overview\""), "\(path)")
                #expect(page.text.contains(ConsoleFixture.outsider) && page.text.contains("action=\"/console/sign-out\""), "\(path)")
                #expect(page.text.contains("value=\"\(try await browser.csrf())\""), "the sign-out form carries the session's CSRF token")
            }
        }
    }

    @Test("the agency whose signature is awaited is shown the exact gx agreement sign command", arguments: StoreBackend.allCases)
    func signCommand(backend: StoreBackend) async throws {
        let fixture = try await ConsoleFixture.make(backend)
        try await fixture.importAgreement("BJ-GX-2026-004", through: .draft)
        let consumer = fixture.agencyTokens["11110000000021063W"]!
        try await fixture.withClient { client in
            var browser = Browser(client)
            try await browser.signIn(consumer)
            let home = try await browser.get("/console/agency")
            #expect(home.text.contains("gx agreement sign BJ-GX-2026-004 --hub http://"))
            #expect(home.text.contains("--key &lt;your-agency&gt;.key"))
        }
    }

    @Test("an auditor sees the agreement but is shown no act and may not perform one", arguments: StoreBackend.allCases)
    func auditorCannotAct(backend: StoreBackend) async throws {
        let fixture = try await ConsoleFixture.make(backend)
        let auditor = fixture.auditorToken
        try await fixture.withClient { client in
            var browser = Browser(client)
            try await browser.signIn(auditor)
            let page = try await browser.get("/console/agreements/BJ-GX-2026-001")
            #expect(page.status == .ok)
            #expect(!page.text.contains("/act/suspend"))
            #expect(try await browser.get("/console/agreements/BJ-GX-2026-001/act/suspend").status == .forbidden)
            let post = try await browser.post("/console/agreements/BJ-GX-2026-001/act/suspend",
                                              [("csrf", try await browser.csrf()), ("reason", "audit finding"), ("confirm", "yes")])
            #expect(post.status == .forbidden)
        }
        #expect(try await fixture.state(of: "BJ-GX-2026-001") == .active)
    }

    @Test("pages answer in English when the browser prefers it, in Chinese otherwise")
    func language() async throws {
        let fixture = try await ConsoleFixture.make(.sqlite)
        try await fixture.withClient { client in
            var browser = Browser(client)
            browser.language = "en-GB,en;q=0.9,zh-CN;q=0.5"
            let english = try await browser.get("/console/")
            #expect(english.text.contains("Sign in to the console"))
            browser.language = "fr-FR,zh;q=0.8"
            let chinese = try await browser.get("/console/")
            #expect(chinese.text.contains("登录控制台"))
        }
    }
}
