import Foundation
import GXConsole
import GXDomain
import GXHub
import GXStorage
import Hummingbird
import HummingbirdTesting
import GXTestSupport
import Testing

@Suite("Console: filing acknowledges data levels")
struct ConsoleFilingLevelsTests {
    static let file = "/console/agreements/BJ-GX-2026-004/act/file"

    @Test("the file act lists the items above 一般 and files only once their level is ticked", arguments: StoreBackend.allCases)
    func fileWithAcknowledgement(backend: StoreBackend) async throws {
        let fixture = try await ConsoleFixture.make(backend)
        try await fixture.importAgreement("BJ-GX-2026-004", through: .signedByProvider)
        let admin = fixture.adminToken
        try await fixture.withClient { client in
            var browser = Browser(client)
            try await browser.signIn(admin)
            let csrf = try await browser.csrf()
            let form = try await browser.get(Self.file)
            #expect(form.text.contains("公民身份号码 <strong>重要</strong>"))
            #expect(form.text.contains("name=\"acknowledge_important\""))
            #expect(!form.text.contains("acknowledge_core"))
            let unticked = try await browser.post(Self.file, [("csrf", csrf), ("confirm", "yes")])
            #expect(unticked.status == .badRequest)
            #expect(unticked.text.contains("must acknowledge 重要"))
            #expect(try await fixture.state(of: "BJ-GX-2026-004") == .signedByProvider)
            let done = try await browser.post(Self.file, [("csrf", csrf), ("acknowledge_important", "yes"), ("confirm", "yes")])
            #expect(done.status == .seeOther)
        }
        #expect(try await fixture.state(of: "BJ-GX-2026-004") == .active)
        #expect(try await fixture.store.agreement(id: "BJ-GX-2026-004")?.filing?.acknowledgedLevels == ["重要"])
    }
}
