import Foundation
import GXCrypto
import GXDomain
import GXHub
import GXStorage
import Hummingbird

/// The console (控制台): the hub's web pages for the authority, the agencies and the auditors, served under
/// `/console/` on the hub's own router, so it has the API's listener, TLS, store and workflow code.
///
/// A person signs in once with a bearer token the hub issued; the console keeps a server-side session in
/// the store. Every page is rendered from a template compiled into `gx`, every value escaped.
public struct Console: Sendable {
    public let hub: Hub
    let renderer: ConsoleRenderer
    let throttle: SignInThrottle
    /// The clock sessions are measured by.
    let now: @Sendable () -> Date

    public static let prefix = "/console"
    static let sessionCookie = "gx_console"
    static let signInCookie = "gx_console_signin"
    /// A session ends after this long without a request, and this long after signing in whatever happens.
    static let idleLimit: TimeInterval = 30 * 60
    static let lifetimeLimit: TimeInterval = 12 * 3600

    public init(hub: Hub, now: @escaping @Sendable () -> Date = { Date() }) throws {
        self.hub = hub
        self.renderer = try ConsoleRenderer()
        self.throttle = SignInThrottle()
        self.now = now
    }

    /// The hub with the console mounted on its router.
    public static func mounted(on hub: Hub, now: @escaping @Sendable () -> Date = { Date() }) throws -> Hub {
        let console = try Console(hub: hub, now: now)
        var hub = hub
        hub.mounts.append(console.mount)
        return hub
    }

    public var mount: HubMount {
        HubMount(prefix: Self.prefix) { router in self.addRoutes(to: router) }
    }

    /// Secure cookies only when the browser reaches the hub over TLS.
    var secureCookies: Bool { hub.tls != nil }
}

/// Who is looking at a page: the session's principal, its CSRF token, and the language to answer in.
struct Visitor: Sendable {
    let principal: Principal
    let sessionToken: String
    let language: ConsoleLanguage

    /// Derived from the session token, so it need not be stored: a forged form cannot know it.
    var csrfToken: String { Console.csrfToken(forSession: sessionToken) }
}

extension Console {
    static func csrfToken(forSession token: String) -> String { SM3.digest("gx-console-csrf:" + token).hex }

    /// Compares secrets in time independent of where they first differ.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for i in 0..<x.count { difference |= x[i] ^ y[i] }
        return difference == 0
    }

    static func newSecret() -> String { Credentials.newToken().replacingOccurrences(of: "gx_", with: "") }
}
