import Foundation
import GXDomain
import GXHub
import GXStorage
import Hummingbird

extension Console {
    typealias PageHandler = @Sendable (Request, HubRequestContext, Visitor, ConsoleForm) async throws -> Response

    func addRoutes(to router: Router<HubRequestContext>) {
        let group = router.group(RouterPath(Self.prefix)).add(middleware: ConsoleMiddleware(console: self))
        group.get("/") { request, context in try await home(request, context) }
        group.post("sign-in") { request, context in try await signIn(request, context) }
        group.get("static/console.css") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/css; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: renderer.stylesheet)))
        }
        page(group, .post, "sign-out", allow: Set(PrincipalKind.allCases)) { request, context, visitor, _ in
            try await signOut(request, context, visitor)
        }
        addAdminPages(to: group)
        addAgencyPages(to: group)
        addAuditPages(to: group)
        addDemandPages(to: group)
        addObjectionPages(to: group)
        addObjectionActPages(to: group)
        addOversightPages(to: group)
        // Anything else under /console/ is a page that does not exist, answered as a page, with the headers.
        group.get("**") { _, _ -> Response in throw ConsolePageError(.notFound, "error.not_found") }
        group.post("**") { _, _ -> Response in throw ConsolePageError(.notFound, "error.not_found") }
    }

    /// Registers a page that states who may open it. Without a live session the visitor goes to sign-in;
    /// a POST must carry the session's CSRF token, checked before the handler runs.
    func page(_ group: RouterGroup<HubRequestContext>, _ method: HTTPRequest.Method, _ path: RouterPath, allow: Set<PrincipalKind>,
              _ handler: @escaping PageHandler) {
        group.on(path, method: method) { request, context in
            let language = ConsoleLanguage.of(request)
            let visitor: Visitor
            switch try await self.visitor(request, context, language: language) {
            case .none: return Self.redirect(to: "\(Self.prefix)/")
            case .expired: return Self.redirect(to: "\(Self.prefix)/?expired=1", clearing: true, secure: secureCookies)
            case let .signedIn(found): visitor = found
            }
            guard allow.contains(visitor.principal.kind) else { throw ConsolePageError(.forbidden, "error.forbidden") }
            var form = ConsoleForm()
            if method == .post {
                form = try await ConsoleForm.read(request, context: context)
                guard let sent = form["csrf"], Self.constantTimeEqual(sent, visitor.csrfToken) else {
                    throw ConsolePageError(.forbidden, "error.csrf")
                }
            }
            return try await handler(request, context, visitor, form)
        }
    }

    /// A session's visitor, after checking the session is live (and, on a mutual-TLS hub, that the
    /// connection's certificate names the session's principal).
    enum SessionState { case none, expired, signedIn(Visitor) }

    func visitor(_ request: Request, _ context: HubRequestContext, language: ConsoleLanguage) async throws -> SessionState {
        guard let token = request.cookies[Self.sessionCookie]?.value, !token.isEmpty, token.utf8.count <= 128 else { return .none }
        let hash = Credentials.hash(of: token)
        guard let session = try await hub.store.consoleSession(tokenHash: hash) else { return .expired }
        let time = now()
        let opened = Timestamp.date(from: session.openedAt) ?? .distantPast
        let seen = Timestamp.date(from: session.lastSeenAt) ?? .distantPast
        if time.timeIntervalSince(seen) > Self.idleLimit || time.timeIntervalSince(opened) > Self.lifetimeLimit {
            try await hub.store.closeConsoleSession(tokenHash: hash)
            return .expired
        }
        if hub.tls?.requiresClientCertificates == true {
            guard try await context.clientCertificateSubject()?.commonName.flatMap(Principal.init(named:)) == session.principal else { throw ConsolePageError(.forbidden, "error.certificate") }
        }
        // Written at most once a minute: the idle clock needs no finer grain.
        if time.timeIntervalSince(seen) > 60 {
            try await hub.store.touchConsoleSession(tokenHash: hash, at: Timestamp.string(from: time))
        }
        return .signedIn(Visitor(principal: session.principal, sessionToken: token, language: language))
    }

    // MARK: Signing in and out

    func home(_ request: Request, _ context: HubRequestContext) async throws -> Response {
        let language = ConsoleLanguage.of(request)
        if case let .signedIn(visitor) = try await visitor(request, context, language: language) {
            return Self.redirect(to: Self.homePath(of: visitor.principal))
        }
        let notice = request.uri.queryParameters.get("expired") != nil ? "signin.expired"
            : request.uri.queryParameters.get("signed-out") != nil ? "signin.signed_out" : nil
        return signInPage(language: language, status: .ok, notice: notice, error: nil)
    }

    static func homePath(of principal: Principal) -> String {
        switch principal.kind {
        case .admin, .auditor: return "\(prefix)/overview"
        case .agency: return "\(prefix)/agency"
        }
    }

    /// The sign-in form, with a fresh token in a cookie and the same in the form: a page from elsewhere
    /// cannot sign a browser in under someone else's token.
    func signInPage(language: ConsoleLanguage, status: HTTPResponse.Status, notice: String?, error: String?) -> Response {
        let formToken = Self.newSecret()
        var values: [String: Any] = ["csrf": formToken]
        if let notice { values["notice"] = renderer.text(notice, language) }
        if let error { values["error"] = error }
        let html = renderer.page("sign-in", title: renderer.text("signin.title", language), values: values, language: language, chrome: [:])
        var response = Self.html(html, status: status)
        response.setCookie(Cookie(name: Self.signInCookie, value: formToken, path: Self.prefix, secure: secureCookies, httpOnly: true, sameSite: .strict))
        return response
    }

    func signIn(_ request: Request, _ context: HubRequestContext) async throws -> Response {
        let language = ConsoleLanguage.of(request)
        let form = try await ConsoleForm.read(request, context: context)
        guard let sent = form["csrf"], let expected = request.cookies[Self.signInCookie]?.value, Self.constantTimeEqual(sent, expected) else {
            return signInPage(language: language, status: .forbidden, notice: nil, error: renderer.text("signin.form_expired", language))
        }
        let address = hub.clientAddress(of: request, context: context)
        let time = now()
        if let wait = await throttle.wait(for: address, at: time) {
            let message = renderer.text("signin.throttled", language).replacingOccurrences(of: "%s", with: String(Int(wait.rounded(.up))))
            return signInPage(language: language, status: .tooManyRequests, notice: nil, error: message)
        }
        let token = (form["token"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let credentialHash = Credentials.hash(of: token)
        var principal: Principal? = nil
        if !token.isEmpty, token.utf8.count <= 256 {
            principal = try await hub.store.principal(forTokenHash: credentialHash)
        }
        if let found = principal, hub.tls?.requiresClientCertificates == true,
           try await context.clientCertificateSubject()?.commonName.flatMap(Principal.init(named:)) != found {
            principal = nil
        }
        guard let principal else {
            await throttle.failed(address, at: time)
            try await hub.store.commit([], audit: [AuditDraft(actor: "console", action: "console.sign_in_failed", subject: address,
                                                             details: ["client": .string(address)])], at: time)
            return signInPage(language: language, status: .unauthorized, notice: nil, error: renderer.text("signin.refused", language))
        }
        await throttle.succeeded(address)
        let sessionToken = Self.newSecret()
        let stamp = Timestamp.string(from: time)
        try await hub.store.closeConsoleSessions(lastSeenBefore: Timestamp.string(from: time.addingTimeInterval(-Self.idleLimit)),
                                                 openedBefore: Timestamp.string(from: time.addingTimeInterval(-Self.lifetimeLimit)))
        try await hub.store.openConsoleSession(ConsoleSession(tokenHash: Credentials.hash(of: sessionToken), principal: principal,
                                                              credentialHash: credentialHash, openedAt: stamp, lastSeenAt: stamp))
        try await hub.store.commit([], audit: [AuditDraft(actor: principal.description, action: "console.signed_in", subject: principal.description,
                                                         agencies: principal.kind == .agency ? [principal.id] : [],
                                                         details: ["client": .string(address)])], at: time)
        var response = Self.redirect(to: Self.homePath(of: principal))
        response.setCookie(Cookie(name: Self.sessionCookie, value: sessionToken, path: Self.prefix, secure: secureCookies, httpOnly: true, sameSite: .strict))
        response.setCookie(Cookie(name: Self.signInCookie, value: "", maxAge: 0, path: Self.prefix, secure: secureCookies, httpOnly: true, sameSite: .strict))
        return response
    }

    func signOut(_ request: Request, _ context: HubRequestContext, _ visitor: Visitor) async throws -> Response {
        try await hub.store.closeConsoleSession(tokenHash: Credentials.hash(of: visitor.sessionToken))
        let principal = visitor.principal
        try await hub.store.commit([], audit: [AuditDraft(actor: principal.description, action: "console.signed_out", subject: principal.description,
                                                         agencies: principal.kind == .agency ? [principal.id] : [])], at: now())
        return Self.redirect(to: "\(Self.prefix)/?signed-out=1", clearing: true, secure: secureCookies)
    }

    // MARK: Responses

    static func redirect(to location: String, clearing: Bool = false, secure: Bool = false) -> Response {
        var headers = HTTPFields()
        headers[.location] = location
        var response = Response(status: .seeOther, headers: headers)
        if clearing {
            response.setCookie(Cookie(name: sessionCookie, value: "", maxAge: 0, path: prefix, secure: secure, httpOnly: true, sameSite: .strict))
        }
        return response
    }

    static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// A page inside the signed-in layout: navigation for the visitor's kind, who is signed in, sign-out.
    func render(_ template: String, title: String, _ values: [String: Any], for visitor: Visitor, status: HTTPResponse.Status = .ok) -> Response {
        let language = visitor.language
        let kind = visitor.principal.kind
        var nav: [[String: Any]] = []
        func link(_ key: String, _ path: String) { nav.append(["label": renderer.text(key, language), "href": "\(Self.prefix)/\(path)"]) }
        switch kind {
        case .admin, .auditor:
            link("nav.overview", "overview"); link("nav.agreements", "agreements"); link("nav.demands", "demands"); link("nav.agencies", "agencies")
            link("nav.catalogue", "catalogue"); link("nav.audit", "audit")
            link("nav.compliance", "compliance"); link("nav.statistics", "statistics")
        case .agency:
            link("nav.agency_home", "agency"); link("nav.agreements", "agreements"); link("nav.demands", "demands"); link("nav.catalogue", "catalogue")
            link("nav.compliance", "compliance"); link("nav.statistics", "statistics")
        }
        link("nav.objections", "objections")
        var chrome: [String: Any] = [
            "signedIn": true, "nav": nav, "csrf": visitor.csrfToken,
            "who": "\(renderer.text("kind.\(kind.rawValue)", language)) · \(visitor.principal.id)",
        ]
        // The authority is told on every page while deadlines fall in a year the calendar does not cover.
        let uncovered = kind == .admin ? hub.uncoveredCalendarYears(at: now()) : []
        if !uncovered.isEmpty {
            chrome["calendarWarning"] = renderer.text("calendar.uncovered", language)
                .replacingOccurrences(of: "{years}", with: uncovered.map(String.init).joined(separator: ", "))
        }
        return Self.html(renderer.page(template, title: title, values: values, language: language, chrome: chrome), status: status)
    }

    func text(_ key: String, _ visitor: Visitor) -> String { renderer.text(key, visitor.language) }
}

/// A refusal answered as a page: the status and the key of the message to show.
struct ConsolePageError: Error {
    let status: HTTPResponse.Status
    let messageKey: String
    var detail: String?

    init(_ status: HTTPResponse.Status, _ messageKey: String, detail: String? = nil) {
        self.status = status
        self.messageKey = messageKey
        self.detail = detail
    }
}

/// Sends every console answer with the browser-side protections, and turns errors into pages.
struct ConsoleMiddleware: RouterMiddleware {
    typealias Context = HubRequestContext
    let console: Console

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            response = await console.errorPage(error, request: request, context: context)
        }
        response.headers[.contentSecurityPolicy] = "default-src 'self'"
        response.headers[HTTPFields.Element.Name("X-Frame-Options")!] = "DENY"
        response.headers[HTTPFields.Element.Name("Referrer-Policy")!] = "no-referrer"
        response.headers[HTTPFields.Element.Name("X-Content-Type-Options")!] = "nosniff"
        response.headers[.cacheControl] = "no-store"
        return response
    }
}

extension Console {
    /// The error as a page: inside the signed-in layout (navigation, who, sign-out) when the request carries a
    /// live session whose principal the connection may act as, else the bare layout with a link home.
    func errorPage(_ error: any Error, request: Request, context: HubRequestContext) async -> Response {
        let language = ConsoleLanguage.of(request)
        let status: HTTPResponse.Status
        var message: String
        var detail: String?
        switch error {
        case let error as ConsolePageError:
            status = error.status
            message = renderer.text(error.messageKey, language)
            detail = error.detail
        case let error as HubAPIError:
            status = error.status
            message = renderer.text(status == .forbidden ? "error.forbidden" : status == .notFound ? "error.not_found" : "error.refused", language)
            detail = error.message
        case let error as StoreError:
            if case .notFound = error { status = .notFound; message = renderer.text("error.not_found", language) }
            else { status = .serviceUnavailable; message = renderer.text("error.unavailable", language) }
            detail = error.description
        case let error as AgreementError:
            status = .conflict
            message = renderer.text("error.refused", language)
            detail = error.description
        default:
            context.logger.error("console page failed", metadata: ["error": "\(error)"])
            status = .internalServerError
            message = renderer.text("error.internal", language)
        }
        var values: [String: Any] = ["message": message, "status": Int(status.code), "home": "\(Self.prefix)/"]
        if let detail { values["detail"] = detail }
        if case let .signedIn(visitor)? = try? await self.visitor(request, context, language: language) {
            return render("error", title: message, values, for: visitor, status: status)
        }
        let html = renderer.page("error", title: message, values: values, language: language, chrome: [:])
        return Self.html(html, status: status)
    }
}
