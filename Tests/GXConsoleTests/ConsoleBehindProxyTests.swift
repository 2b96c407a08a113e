import Foundation
import GXConsole
import GXDomain
import GXHub
import GXStorage
import GXTestSupport
import Hummingbird
import HummingbirdTesting
import Testing

/// Several hubs behind a load balancer see every connection come from the balancer: a client's failed
/// sign-ins must slow that client, not everyone, and only a trusted balancer may say who the client is.
@Suite("Console behind a load balancer")
struct ConsoleBehindProxyTests {
    static let wrongToken = "gx_" + String(repeating: "0", count: 64)
    static let instant = Date()

    @Test("behind a trusted balancer, five failed sign-ins slow the forwarded client only, and the audit names it", arguments: StoreBackend.allCases)
    func trustedBalancer(backend: StoreBackend) async throws {
        // One instant throughout: the one-second wait after the fifth failure must not pass on a slow machine.
        let fixture = try await ConsoleFixture.make(backend, now: { Self.instant }) { $0.trustedProxies = ["127.0.0.1"] }
        let admin = fixture.adminToken
        try await fixture.withLiveClient { client in
            var guesser = Browser(client)
            guesser.forwardedFor = "198.51.100.1, 203.0.113.7"  // the first entry is the client's own claim
            for _ in 0..<5 {
                let refused = try await guesser.signIn(Self.wrongToken)
                #expect(refused.status == .unauthorized)
            }
            let slowed = try await guesser.signIn(admin)
            #expect(slowed.status == .tooManyRequests)
            var colleague = Browser(client)
            colleague.forwardedFor = "203.0.113.8"
            let served = try await colleague.signIn(admin)
            #expect(served.status == .seeOther, "another client behind the same balancer must not be slowed")
        }
        let failed = try await fixture.store.auditEntries(matching: AuditQuery(action: "console.sign_in_failed"))
        #expect(Set(failed.map(\.subject)) == ["203.0.113.7"])
        let signedIn = try await fixture.store.auditEntries(matching: AuditQuery(action: "console.signed_in"))
        #expect(signedIn.map { $0.details["client"] } == [.string("203.0.113.8")])
    }

    @Test("X-Forwarded-For from a peer that is not a trusted balancer is ignored: the peer itself is slowed", arguments: StoreBackend.allCases)
    func untrustedPeer(backend: StoreBackend) async throws {
        let fixture = try await ConsoleFixture.make(backend, now: { Self.instant }) { $0.trustedProxies = ["10.0.0.5"] }
        let admin = fixture.adminToken
        try await fixture.withLiveClient { client in
            var guesser = Browser(client)
            for attempt in 0..<5 {
                guesser.forwardedFor = "203.0.113.\(attempt)"  // a new claimed address each time must not help
                let refused = try await guesser.signIn(Self.wrongToken)
                #expect(refused.status == .unauthorized)
            }
            var other = Browser(client)
            other.forwardedFor = "203.0.113.99"
            let slowed = try await other.signIn(admin)
            #expect(slowed.status == .tooManyRequests)
        }
        let failed = try await fixture.store.auditEntries(matching: AuditQuery(action: "console.sign_in_failed"))
        #expect(Set(failed.map(\.subject)) == ["127.0.0.1"])
    }
}
