/// The time limits of the demand workflow, in working days: an operator sets them per hub (`[demands]` in
/// hub.toml), as local rules differ (Shaanxi: review 2, reply 5, or 10 when the data must be prepared).
public struct DemandTimeLimits: Sendable, Hashable {
    /// The authority's review (Shaanxi practice: 2 working days).
    public var reviewWorkingDays: Int
    /// The provider's reply (国发〔2016〕51号: 10 working days).
    public var replyWorkingDays: Int

    /// Limits beyond a quarter of a year are a typo, not a rule.
    public static let allowed = 1...60

    public static let standard = DemandTimeLimits(uncheckedReview: 2, reply: 10)

    private init(uncheckedReview review: Int, reply: Int) {
        reviewWorkingDays = review
        replyWorkingDays = reply
    }

    public init(reviewWorkingDays review: Int, replyWorkingDays reply: Int) throws(InvalidInput) {
        for (field, days) in [("demands.review_working_days", review), ("demands.reply_working_days", reply)] where !Self.allowed.contains(days) {
            throw InvalidInput(field: field, reason: "must be a whole number of working days from \(Self.allowed.lowerBound) to \(Self.allowed.upperBound), got \(days)")
        }
        self.init(uncheckedReview: review, reply: reply)
    }
}
