/// A verification (比对核实) agreement's requests, answers and receipts added up — the one place their counts
/// are summed, for `gx exchange report` and the console alike. Counts only: never a value from a record.
public struct VerificationSummary: Sendable, Equatable {
    /// Requests pushed, and the records they asked about.
    public var requests = 0
    public var records: Int64 = 0
    /// Requests answered, and in the answers the records found and not found.
    public var answered = 0
    public var found: Int64 = 0
    public var notFound: Int64 = 0
    /// Per checked item, the found records whose value differed from the provider's.
    public var mismatches: [String: Int64] = [:]
    /// Answers the consumer acknowledged applying.
    public var receipts = 0
    /// Awaiting the provider while a request has no answer, the consumer while an answer has no receipt.
    public var status: ExchangeStatus = .acknowledged
    /// When the oldest unanswered request arrived, or else the oldest unacknowledged answer.
    public var pendingSince: String?

    public init(_ entries: [VerificationAPI.Entry]) {
        for entry in entries {
            requests += 1
            records += entry.request.requests
            if let answer = entry.answer {
                answered += 1
                found += answer.found
                notFound += answer.requests - answer.found
                for item in answer.mismatches { mismatches[item.item, default: 0] += item.count }
            }
            if entry.receipt != nil { receipts += 1 }
        }
        if let unanswered = entries.first(where: { $0.answer == nil }) {
            status = .awaitingProvider
            pendingSince = unanswered.requestedAt
        } else if let unacknowledged = entries.first(where: { $0.receipt == nil }) {
            status = .awaitingConsumer
            pendingSince = unacknowledged.answeredAt
        }
    }
}
