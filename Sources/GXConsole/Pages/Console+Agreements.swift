import Foundation
import GXCrypto
import GXDomain
import GXHub
import GXStorage
import Hummingbird

extension Console {
    func addAdminPages(to group: RouterGroup<HubRequestContext>) {
        let readers: Set<PrincipalKind> = [.admin, .auditor]
        page(group, .get, "overview", allow: readers) { _, _, visitor, _ in try await overview(visitor) }
        page(group, .get, "agencies", allow: readers) { _, _, visitor, _ in try await agencies(visitor) }
        page(group, .get, "catalogue", allow: Set(PrincipalKind.allCases)) { _, _, visitor, _ in try await catalogue(visitor) }
        page(group, .get, "agreements", allow: Set(PrincipalKind.allCases)) { request, _, visitor, _ in try await agreements(request, visitor) }
        page(group, .get, "agreements/:id", allow: Set(PrincipalKind.allCases)) { request, context, visitor, _ in
            try await agreement(try context.parameters.require("id"), visitor, done: request.uri.queryParameters.get("done"),
                                hubAddress: hubAddress(request))
        }
        page(group, .get, "agreements/:id/files/:name", allow: Set(PrincipalKind.allCases)) { _, context, visitor, _ in
            try await signedFile(try context.parameters.require("id"), try context.parameters.require("name"), visitor)
        }
        page(group, .get, "agreements/:id/act/:act", allow: [.admin]) { _, context, visitor, _ in
            let act = try Self.act(context)
            let agreement = try await hub.visibleAgreement(try context.parameters.require("id"), to: visitor.principal)
            return try await actPage(agreement, act, visitor, error: nil, reason: "")
        }
        page(group, .post, "agreements/:id/act/:act", allow: [.admin]) { _, context, visitor, form in
            let act = try Self.act(context)
            let id = try context.parameters.require("id")
            let agreement = try await hub.visibleAgreement(id, to: visitor.principal)
            let reason = (form["reason"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            guard form["confirm"] == "yes" else {
                return try await actPage(agreement, act, visitor, error: text("act.confirm_missing", visitor), reason: reason, status: .badRequest)
            }
            let levels = Self.acknowledgeableGrades.filter { form["acknowledge_\($0.field)"] == "yes" }.map { $0.grade.rawValue }
            do {
                _ = try await hub.perform(act, on: id, reason: act.needsReason || !reason.isEmpty ? reason : nil, acknowledgedLevels: levels,
                                          by: visitor.principal)
            } catch let error as HubAPIError where error.field == "reason" {
                return try await actPage(agreement, act, visitor, error: text("act.reason_missing", visitor), reason: reason, status: .badRequest)
            } catch let error as InvalidInput where error.field == "acknowledged_levels" || error.field == "items" {
                return try await actPage(agreement, act, visitor, error: error.description, reason: reason, status: .badRequest)
            } catch let error as AgreementError {
                return try await actPage(agreement, act, visitor, error: error.description, reason: reason, status: .conflict)
            }
            return Self.redirect(to: "\(Self.prefix)/agreements/\(Self.pathEscaped(id))?done=\(act.rawValue)")
        }
    }

    static func act(_ context: HubRequestContext) throws -> AgreementAct {
        guard let act = AgreementAct(rawValue: try context.parameters.require("act")) else { throw ConsolePageError(.notFound, "error.not_found") }
        return act
    }

    static func pathEscaped(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#"))) ?? text
    }

    func stateLabel(_ state: AgreementState, _ visitor: Visitor) -> String { text("state.\(state.rawValue)", visitor) }

    // MARK: Agreements list

    func agreements(_ request: Request, _ visitor: Visitor) async throws -> Response {
        let parameters = request.uri.queryParameters
        func filter(_ name: String) -> String? { parameters.get(name).flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : String($0.prefix(100)) } }
        var query = AgreementQuery(provider: filter("provider"), consumer: filter("consumer"), resourceCode: filter("resource"))
        if let state = filter("state") {
            guard let parsed = AgreementState(rawValue: state) else { throw ConsolePageError(.badRequest, "error.bad_filter", detail: "state") }
            query.state = parsed
        }
        if case let .agency(code) = visitor.principal { query.party = code }
        let found = try await hub.store.agreements(matching: query)
        let names = Dictionary(try await hub.store.agencies().map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a })
        let rows: [[String: Any]] = found.map { agreement in
            [
                "id": agreement.id, "href": "\(Self.prefix)/agreements/\(Self.pathEscaped(agreement.id))",
                "provider": names[agreement.terms.provider] ?? agreement.terms.provider,
                "consumer": names[agreement.terms.consumer] ?? agreement.terms.consumer,
                "resource": agreement.terms.resourceCode, "state": stateLabel(agreement.state, visitor), "stateClass": agreement.state.rawValue,
                "purpose": agreement.terms.purpose,
                "validity": "\(agreement.terms.validFrom) – \(agreement.terms.validUntil)",
            ]
        }
        let states: [[String: Any]] = AgreementState.allCases.map {
            ["value": $0.rawValue, "label": stateLabel($0, visitor), "selected": query.state == $0]
        }
        return render("agreements", title: text("agreements.title", visitor), [
            "rows": rows, "count": rows.count, "empty": rows.isEmpty, "states": states,
            "provider": query.provider ?? "", "consumer": query.consumer ?? "", "resource": query.resourceCode ?? "",
            "showParties": visitor.principal.kind != .agency,
        ], for: visitor)
    }

    // MARK: One agreement

    func agreement(_ id: String, _ visitor: Visitor, done: String?, hubAddress: String) async throws -> Response {
        let agreement = try await hub.visibleAgreement(id, to: visitor.principal)
        let terms = agreement.terms
        let provider = try await hub.store.agency(code: terms.provider)
        let consumer = try await hub.store.agency(code: terms.consumer)
        let entry = try await hub.store.catalogueEntry(resourceCode: terms.resourceCode, schemaVersion: terms.schemaVersion)
        let base = "\(Self.prefix)/agreements/\(Self.pathEscaped(id))"
        let stem = Self.fileStem(id)

        let items: [[String: Any]] = terms.items.map { name in
            let item = entry?.item(named: name)
            return ["name": name, "type": item?.type.rawValue ?? "", "length": item?.length.map(String.init) ?? "",
                    "codeTable": item?.codeTable?.name ?? "", "key": item?.key ?? false,
                    "level": item?.level?.description ?? "—", "mask": terms.masks?[name]?.description ?? ""]
        }
        var signatures: [[String: Any]] = []
        func signature(_ role: String, _ who: String, _ at: String, _ verifies: Bool, _ file: String) {
            signatures.append([
                "role": text("signature.\(role)", visitor), "who": who, "at": at, "verifies": verifies,
                "command": "openssl dgst -sm3 -verify \(stem)-\(role).pem -signature \(stem)-\(role).sig -sigopt distid:1234567812345678 \(stem)-\(file)",
                "bytes": "\(base)/files/\(file)", "bytesName": "\(stem)-\(file)",
                "sig": "\(base)/files/\(role).sig", "pem": "\(base)/files/\(role).pem",
            ])
        }
        if let s = agreement.consumerSignature {
            signature("consumer", consumer?.name ?? s.signer, s.signedAt, Self.verifies(s, terms: terms, agency: consumer), "terms.json")
        }
        if let s = agreement.providerSignature {
            signature("provider", provider?.name ?? s.signer, s.signedAt, Self.verifies(s, terms: terms, agency: provider), "terms.json")
        }
        if let filing = agreement.filing {
            let verifies = Data(base64Encoded: filing.signature).map { hub.key.publicKey.isValidSignature([UInt8]($0), for: agreement.filingBytes) } ?? false
            signature("hub", filing.filedBy, filing.filedAt, verifies, "filing.json")
        }
        let history = try await hub.store.auditEntries(matching: AuditQuery(agreement: id, limit: AuditQuery.maximumLimit))
        let events: [[String: Any]] = history.map {
            ["seq": $0.seq, "time": $0.time, "actor": $0.actor, "action": text("action.\($0.action)", visitor) == "action.\($0.action)" ? $0.action : text("action.\($0.action)", visitor),
             "reason": $0.details["reason"].flatMap { if case let .string(s) = $0 { return s } else { return nil } } ?? ""]
        }
        let acts: [[String: Any]] = visitor.principal.kind == .admin
            ? AgreementAct.allCases.filter { $0.allowedFrom.contains(agreement.state) }.map {
                ["href": "\(base)/act/\($0.rawValue)", "label": text("act.\($0.rawValue)", visitor), "danger": $0 == .revoke || $0 == .suspend]
            }
            : []
        var values: [String: Any] = [
            "id": id, "state": stateLabel(agreement.state, visitor), "stateClass": agreement.state.rawValue,
            "stateReason": agreement.stateReason ?? "", "hasStateReason": agreement.stateReason != nil,
            "provider": provider?.name ?? terms.provider, "providerCode": terms.provider,
            "consumer": consumer?.name ?? terms.consumer, "consumerCode": terms.consumer,
            "resource": terms.resourceCode, "resourceName": entry?.name ?? "", "schemaVersion": terms.schemaVersion,
            "purpose": terms.purpose, "frequency": terms.frequency.rawValue,
            "method": terms.method.rawValue, "validFrom": terms.validFrom.description, "validUntil": terms.validUntil.description,
            "duties": [
                ["name": text("duty.provision", visitor), "text": terms.duties.provision],
                ["name": text("duty.use", visitor), "text": terms.duties.use],
                ["name": text("duty.disposal", visitor), "text": terms.duties.disposal],
                ["name": text("duty.security", visitor), "text": terms.duties.security],
            ],
            "contentDigest": terms.contentDigest.hex,
            "items": items, "signatures": signatures, "hasSignatures": !signatures.isEmpty,
            "events": events, "acts": acts, "hasActs": !acts.isEmpty,
            "exchange": "\(base)/exchange",
        ]
        // Absent values stay out of the dictionary: a template section shows only what is there.
        for (key, value) in [("basis", terms.basis), ("supersedes", terms.supersedes), ("supersededBy", agreement.supersededBy)] {
            if let value { values[key] = value }
        }
        if let awaited = agreement.awaitedSigner {
            values["awaiting"] = awaited == terms.consumer ? (consumer?.name ?? awaited) : (provider?.name ?? awaited)
            if case let .agency(code) = visitor.principal, code == awaited {
                values["signCommand"] = Self.signCommand(id, hub: hubAddress)
            }
        }
        if visitor.principal == .agency(code: terms.consumer), agreement.state == .active, terms.method.deliversBatches {
            values["objectHref"] = "\(Self.prefix)/objections/raise?agreement=\(Self.pathEscaped(id))"
        }
        let names = [terms.provider: provider?.name ?? terms.provider, terms.consumer: consumer?.name ?? terms.consumer]
        values.merge(amendmentValues(agreement, visitor, names: names, hubAddress: hubAddress, entry: entry)) { current, _ in current }
        if let done, let act = AgreementAct(rawValue: done) { values["done"] = text("act.done_\(act.rawValue)", visitor) }
        return render("agreement", title: "\(text("agreement.title", visitor)) \(id)", values, for: visitor)
    }

    /// The address the browser reached this hub at, for the `gx` commands the pages show.
    func hubAddress(_ request: Request) -> String {
        let host = request.head.authority ?? "127.0.0.1:8480"
        let safe = host.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || ".-:[]".contains($0)) } ? host : "127.0.0.1:8480"
        return (hub.tls == nil ? "http://" : "https://") + safe
    }

    static func signCommand(_ id: String, hub: String) -> String {
        "gx agreement sign \(id) --hub \(hub) --token-file <your-agency>.token --key <your-agency>.key"
    }

    static func verifies(_ signature: AgreementSignature, terms: AgreementTerms, agency: Agency?) -> Bool {
        guard let agency, let key = try? agency.publicKey(at: signature.signedAt), let der = Data(base64Encoded: signature.signature) else { return false }
        return key.isValidSignature([UInt8](der), for: terms.canonicalBytes)
    }

    /// A download name made of the agreement id's safe characters.
    static func fileStem(_ id: String) -> String {
        let safe = id.unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) && $0.isASCII || "-_.".unicodeScalars.contains($0) }
        return safe.isEmpty ? "agreement" : String(String.UnicodeScalarView(safe))
    }

    /// The exact bytes each signature covers, the signatures (DER) and the keys that verify them, for
    /// `openssl dgst -sm3 -verify` offline.
    func signedFile(_ id: String, _ name: String, _ visitor: Visitor) async throws -> Response {
        let agreement = try await hub.visibleAgreement(id, to: visitor.principal)
        let terms = agreement.terms
        let bytes: [UInt8]
        switch name {
        case "terms.json": bytes = terms.canonicalBytes
        case "filing.json": bytes = agreement.filingBytes
        case "consumer.sig", "provider.sig", "hub.sig":
            let base64 = name == "consumer.sig" ? agreement.consumerSignature?.signature
                : name == "provider.sig" ? agreement.providerSignature?.signature : agreement.filing?.signature
            guard let base64, let der = Data(base64Encoded: base64) else { throw ConsolePageError(.notFound, "error.not_found") }
            bytes = [UInt8](der)
        case "consumer.pem", "provider.pem":
            let consumerSide = name == "consumer.pem"
            guard let agency = try await hub.store.agency(code: consumerSide ? terms.consumer : terms.provider) else { throw ConsolePageError(.notFound, "error.not_found") }
            let at = (consumerSide ? agreement.consumerSignature?.signedAt : agreement.providerSignature?.signedAt) ?? Timestamp.string(from: now())
            bytes = Array(agency.publicKeyPEM(at: at).utf8)
        case "hub.pem": bytes = Array(hub.key.publicKey.pem.utf8)
        default: throw ConsolePageError(.notFound, "error.not_found")
        }
        var headers = HTTPFields()
        headers[.contentType] = "application/octet-stream"
        headers[.contentDisposition] = "attachment; filename=\"\(Self.fileStem(id))-\(name)\""
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    // MARK: Acts

    /// The grades a filing may acknowledge, with their form fields.
    static let acknowledgeableGrades: [(field: String, grade: DataLevel.Grade)] = [("important", .important), ("core", .core)]

    func actPage(_ agreement: SharingAgreement, _ act: AgreementAct, _ visitor: Visitor, error: String?, reason: String,
                 status: HTTPResponse.Status = .ok) async throws -> Response {
        let allowed = act.allowedFrom.contains(agreement.state)
        var values: [String: Any] = [
            "id": agreement.id, "act": text("act.\(act.rawValue)", visitor), "explain": text("act.explain_\(act.rawValue)", visitor),
            "state": stateLabel(agreement.state, visitor), "allowed": allowed, "needsReason": act.needsReason,
            "reason": reason, "csrf": visitor.csrfToken,
            "action": "\(Self.prefix)/agreements/\(Self.pathEscaped(agreement.id))/act/\(act.rawValue)",
            "back": "\(Self.prefix)/agreements/\(Self.pathEscaped(agreement.id))",
            "purpose": agreement.terms.purpose,
        ]
        if let error { values["error"] = error }
        // Filing an agreement that shares items above 一般 needs the authority to acknowledge their levels.
        if act == .file, let entry = try await hub.store.catalogueEntry(resourceCode: agreement.terms.resourceCode, schemaVersion: agreement.terms.schemaVersion) {
            let shared = agreement.terms.itemsAboveGeneral(in: entry)
            let grades = Set(shared.map { $0.level.grade })
            values["shared"] = shared.map { ["item": $0.item, "level": $0.level.description] }
            values["hasShared"] = !shared.isEmpty
            values["grades"] = Self.acknowledgeableGrades.filter { grades.contains($0.grade) }.map {
                ["field": "acknowledge_\($0.field)", "label": "\(text("act.acknowledge", visitor)) \($0.grade.rawValue)"]
            }
        }
        return render("act", title: "\(text("act.\(act.rawValue)", visitor)) \(agreement.id)", values, for: visitor, status: status)
    }
}
