import Foundation

extension SharingDemand {
    static let maxText = 2000
    static let maxReason = 1000

    /// Checks a request against the catalogue entry and returns it completed: key items added, frequency
    /// and method defaulted. Refuses items outside the entry, a missing purpose, a 有条件共享 resource without
    /// a basis, and a period that ends before it starts.
    public static func checked(_ request: DemandRequest, entry: CatalogueEntry) throws(InvalidInput) -> DemandRequest {
        var request = request
        guard request.resourceCode == entry.resourceCode else {
            throw InvalidInput(field: "resource", reason: "names \(request.resourceCode), catalogue entry is \(entry.resourceCode)")
        }
        guard !request.items.isEmpty, request.items.count <= 500 else {
            throw InvalidInput(field: "items", reason: "ask for 1 to 500 items of \(entry.resourceCode)")
        }
        var seen = Set<String>()
        for item in request.items {
            guard entry.item(named: item) != nil else {
                throw InvalidInput(field: "items", reason: "'\(item)' is not an item of \(entry.resourceCode) (see `gx catalogue show \(entry.resourceCode)`)")
            }
            guard seen.insert(item).inserted else { throw InvalidInput(field: "items", reason: "'\(item)' is listed twice") }
        }
        let missingKeys = entry.keyItems.map(\.name).filter { !seen.contains($0) }
        request.items = missingKeys + request.items
        let purpose = request.purpose.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !purpose.isEmpty, purpose.count <= maxText else {
            throw InvalidInput(field: "purpose", reason: "state the purpose of use in 1 to \(maxText) characters")
        }
        request.purpose = purpose
        let basis = request.basis?.trimmingCharacters(in: .whitespacesAndNewlines)
        request.basis = basis?.isEmpty == true ? nil : basis
        if let basis = request.basis, basis.count > maxText {
            throw InvalidInput(field: "basis", reason: "at most \(maxText) characters")
        }
        if entry.sharingType == .conditional, request.basis == nil {
            throw InvalidInput(field: "basis", reason: "\(entry.resourceCode) is 有条件共享: state the legal or policy basis (依据)")
        }
        guard request.validFrom <= request.validUntil else {
            throw InvalidInput(field: "valid_until", reason: "\(request.validUntil) is before valid_from \(request.validFrom)")
        }
        request.frequency = request.frequency ?? entry.updateCycle
        request.method = request.method ?? .pull
        return request
    }

    func moved(_ act: String, from allowed: Set<DemandState>, to state: DemandState) throws(DemandError) -> SharingDemand {
        guard allowed.contains(self.state) else {
            throw .illegalTransition(demand: id, state: self.state, act: act,
                                     allowedFrom: DemandState.allCases.filter { allowed.contains($0) })
        }
        var next = self
        next.state = state
        next.revision += 1
        return next
    }

    static func reason(_ text: String?, field: String = "reason") throws(InvalidInput) -> String {
        let trimmed = (text ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.count <= maxReason else {
            throw InvalidInput(field: field, reason: "state a reason of 1 to \(maxReason) characters")
        }
        return trimmed
    }

    /// Refused at once because the catalogue says 不予共享, naming the catalogue's stated basis.
    public func refusedOnSubmission(entry: CatalogueEntry) -> SharingDemand {
        var next = self
        next.state = .refused
        next.deadline = nil
        next.revision += 1
        next.stateReason = "\(entry.resourceCode) is 不予共享: " + (entry.sharingBasis ?? "the catalogue states no basis")
        return next
    }

    /// The consumer withdraws an undecided demand.
    public func withdrawn(reason: String?) throws(DemandError) -> SharingDemand {
        var next = try moved("withdraw", from: [.submitted, .underReview, .forwarded], to: .withdrawn)
        next.deadline = nil
        next.stateReason = reason.flatMap { $0.isEmpty ? nil : String($0.prefix(Self.maxReason)) }
        return next
    }

    /// The authority's act. Grant is for 无条件共享, forward for 有条件共享; `replyDeadline` is the provider's
    /// time limit, set when forwarding.
    public func reviewed(_ review: DemandReview, replyDeadline: String?) throws -> SharingDemand {
        let open: Set<DemandState> = [.submitted, .underReview]
        var next: SharingDemand
        var review = review
        switch review.decision {
        case .take:
            next = try moved("review take", from: [.submitted], to: .underReview)
        case .grant:
            guard sharingType == .unconditional else {
                throw InvalidInput(field: "decision", reason: "\(resourceCode) is \(sharingType.rawValue): forward it to the provider, who decides")
            }
            next = try moved("review grant", from: open, to: .granted)
            next.deadline = nil
        case .forward:
            guard sharingType == .conditional else {
                throw InvalidInput(field: "decision", reason: "\(resourceCode) is \(sharingType.rawValue): the authority grants it, no provider reply is needed")
            }
            next = try moved("review forward", from: open, to: .forwarded)
            next.deadline = replyDeadline
        case .refuse:
            let reason = try Self.reason(review.reason)
            review.reason = reason
            next = try moved("review refuse", from: open, to: .refused)
            next.deadline = nil
            next.stateReason = reason
        }
        if let reason = review.reason, reason.count > Self.maxReason {
            throw InvalidInput(field: "reason", reason: "at most \(Self.maxReason) characters")
        }
        next.review = review
        return next
    }

    /// The provider's reply to a forwarded demand.
    public func replied(_ reply: DemandReply, keyItems: Set<String>) throws -> SharingDemand {
        var reply = reply
        var next: SharingDemand
        switch reply.decision {
        case .accept:
            guard reply.refusedItems.isEmpty else {
                throw InvalidInput(field: "refused_items", reason: "an acceptance refuses no items: reply accept_fewer instead")
            }
            next = try moved("reply", from: [.forwarded], to: .granted)
        case .acceptFewer:
            guard !reply.refusedItems.isEmpty else {
                throw InvalidInput(field: "refused_items", reason: "name each item refused, with its reason")
            }
            var seen = Set<String>()
            for (index, refused) in reply.refusedItems.enumerated() {
                guard request.items.contains(refused.item) else {
                    throw InvalidInput(field: "refused_items[\(index)].item", reason: "'\(refused.item)' was not asked for in demand \(id)")
                }
                guard !keyItems.contains(refused.item) else {
                    throw InvalidInput(field: "refused_items[\(index)].item", reason: "'\(refused.item)' is a key item; refuse the demand instead")
                }
                guard seen.insert(refused.item).inserted else {
                    throw InvalidInput(field: "refused_items[\(index)].item", reason: "'\(refused.item)' is listed twice")
                }
                reply.refusedItems[index].reason = try Self.reason(refused.reason, field: "refused_items[\(index)].reason")
            }
            guard request.items.contains(where: { !seen.contains($0) && !keyItems.contains($0) }) else {
                throw InvalidInput(field: "refused_items", reason: "every item but the keys is refused: refuse the demand instead")
            }
            next = try moved("reply", from: [.forwarded], to: .partiallyGranted)
        case .refuse:
            reply.reason = try Self.reason(reply.reason)
            next = try moved("reply", from: [.forwarded], to: .refused)
            next.stateReason = reply.reason
        }
        if reply.decision != .refuse, let reason = reply.reason, reason.count > Self.maxReason {
            throw InvalidInput(field: "reason", reason: "at most \(Self.maxReason) characters")
        }
        next.deadline = nil
        next.reply = reply
        return next
    }
}
