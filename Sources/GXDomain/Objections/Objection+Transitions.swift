import Foundation

extension Objection {
    static let maxProblem = 2000
    static let maxEvidence = 4000
    static let maxReason = 1000
    static let maxItems = 100

    /// Checks a request against the agreement's terms and the catalogue entry and returns it tidied: the key
    /// must give one non-empty value per key item, the items must be items of the agreement (each once), the
    /// problem is required and the texts bounded.
    public static func checked(_ request: ObjectionRequest, terms: AgreementTerms, entry: CatalogueEntry) throws(InvalidInput) -> ObjectionRequest {
        var request = request
        let keyItems = entry.keyItems.map(\.name)
        guard request.key.count == keyItems.count else {
            throw InvalidInput(field: "key", reason: "give \(keyItems.count) value(s), one for each key item of \(entry.resourceCode): \(keyItems.joined(separator: ", "))")
        }
        for (index, value) in request.key.enumerated() {
            guard !value.isEmpty, value.count <= 256 else {
                throw InvalidInput(field: "key", reason: "the value of \(keyItems[index]) must be 1 to 256 characters")
            }
        }
        guard !request.items.isEmpty, request.items.count <= maxItems else {
            throw InvalidInput(field: "items", reason: "name 1 to \(maxItems) disputed items of agreement \(terms.id)")
        }
        var seen = Set<String>()
        for item in request.items {
            guard terms.items.contains(item) else {
                throw InvalidInput(field: "items", reason: "'\(item)' is not an item of agreement \(terms.id) (items: \(terms.items.joined(separator: ", ")))")
            }
            guard seen.insert(item).inserted else { throw InvalidInput(field: "items", reason: "'\(item)' is listed twice") }
        }
        let problem = request.problem.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !problem.isEmpty, problem.count <= maxProblem else {
            throw InvalidInput(field: "problem", reason: "say what is wrong in 1 to \(maxProblem) characters")
        }
        request.problem = problem
        let evidence = request.evidence?.trimmingCharacters(in: .whitespacesAndNewlines)
        request.evidence = evidence?.isEmpty == true ? nil : evidence
        if let evidence = request.evidence, evidence.count > maxEvidence {
            throw InvalidInput(field: "evidence", reason: "at most \(maxEvidence) characters")
        }
        return request
    }

    func moved(_ act: String, from allowed: Set<ObjectionState>, to state: ObjectionState) throws(ObjectionError) -> Objection {
        guard allowed.contains(self.state) else {
            throw .illegalTransition(objection: id, state: self.state, act: act,
                                     allowedFrom: ObjectionState.allCases.filter { allowed.contains($0) })
        }
        var next = self
        next.state = state
        next.revision += 1
        return next
    }

    /// The provider's answer to an open or escalated objection; a rejection needs its reason.
    public func answered(_ answer: ObjectionAnswer) throws -> Objection {
        var answer = answer
        let reason = answer.reason?.trimmingCharacters(in: .whitespacesAndNewlines)
        answer.reason = reason?.isEmpty == true ? nil : reason
        if let reason = answer.reason, reason.count > Self.maxReason {
            throw InvalidInput(field: "reason", reason: "at most \(Self.maxReason) characters")
        }
        if answer.decision == .rejected, answer.reason == nil {
            throw InvalidInput(field: "reason", reason: "a rejection states its reason (1 to \(Self.maxReason) characters)")
        }
        var next = try moved("answer", from: [.open, .escalated], to: answer.decision == .confirmed ? .confirmed : .rejected)
        next.answer = answer
        return next
    }

    /// Put before the authority: the provider did not answer by the deadline.
    public func escalated(at time: String) throws(ObjectionError) -> Objection {
        var next = try moved("escalate", from: [.open], to: .escalated)
        next.escalatedAt = time
        return next
    }

    /// Closed by the provider's accepted batch `batch` (`RESOURCE#SEQUENCE`) carrying the key.
    public func closed(by batch: String, at time: String) throws(ObjectionError) -> Objection {
        var next = try moved("close", from: [.confirmed], to: .closed)
        next.closedAt = time
        next.closedBy = batch
        return next
    }
}
