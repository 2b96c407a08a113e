import GXDomain
import GXHub

extension Console {
    /// The agreement page's pending amendment and revision history: each revision's terms digest, who
    /// signed it and when, who filed it and when it was superseded.
    func amendmentValues(_ agreement: SharingAgreement, _ visitor: Visitor, names: [String: String], hubAddress: String,
                         entry: CatalogueEntry?) -> [String: Any] {
        func signer(_ signature: AgreementSignature?) -> String {
            signature.map { "\(names[$0.signer] ?? $0.signer) · \($0.signedAt)" } ?? "—"
        }
        var values: [String: Any] = [:]
        let revisions: [[String: Any]] = agreement.history.reversed().map { revision in
            [
                "number": revision.number, "inForce": revision.supersededAt == nil,
                "supersededAt": revision.supersededAt ?? "", "digest": String(revision.terms.contentDigest.hex.prefix(16)),
                "items": revision.terms.items.joined(separator: "、"),
                "validity": "\(revision.terms.validFrom) – \(revision.terms.validUntil)", "frequency": revision.terms.frequency.rawValue,
                "consumerSigned": signer(revision.consumerSignature), "providerSigned": signer(revision.providerSignature),
                "filed": revision.filing.map { "\($0.filedBy) · \($0.filedAt)" + ($0.acknowledgedLevels.map { " · \($0.joined(separator: "、"))" } ?? "") } ?? "—",
            ]
        }
        values["revisions"] = revisions
        if let demand = agreement.terms.demand {
            values["demand"] = demand
            values["demandHref"] = "\(Self.prefix)/demands/\(Self.pathEscaped(demand))"
        }
        guard let amendment = agreement.amendment else { return values }
        let inForce = Set(agreement.terms.items), proposed = Set(amendment.terms.items)
        var pending: [String: Any] = [
            "number": amendment.number, "state": text("state.\(amendment.state.rawValue)", visitor),
            "proposedBy": amendment.proposedBy, "proposedAt": amendment.proposedAt, "reason": amendment.reason,
            "items": amendment.terms.items.joined(separator: "、"),
            "added": amendment.terms.items.filter { !inForce.contains($0) }.joined(separator: "、"),
            "removed": agreement.terms.items.filter { !proposed.contains($0) }.joined(separator: "、"),
            "validity": "\(amendment.terms.validFrom) – \(amendment.terms.validUntil)", "frequency": amendment.terms.frequency.rawValue,
            "digest": amendment.terms.contentDigest.hex,
            "consumerSigned": signer(amendment.consumerSignature), "providerSigned": signer(amendment.providerSignature),
        ]
        if let awaited = amendment.awaitedSigner {
            pending["awaiting"] = names[awaited] ?? awaited
            if case let .agency(code) = visitor.principal, code == awaited {
                pending["signCommand"] = Self.signCommand(agreement.id, hub: hubAddress)
            }
        } else if visitor.principal.kind == .admin {
            // The same acknowledgement an agreement's filing needs, for the amendment's items above 一般.
            let levels = entry.map { amendment.terms.levelsToAcknowledge(in: $0) } ?? []
            pending["fileCommand"] = "gx agreement file \(agreement.id) --hub \(hubAddress) --token-file admin.token"
                + (levels.isEmpty ? "" : " --acknowledge-levels \(levels.joined(separator: ","))")
        }
        values["amendment"] = pending
        return values
    }
}
