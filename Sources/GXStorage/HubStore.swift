import Foundation
import GXDomain

/// Everything the hub keeps, behind one narrow interface: reads, and one transactional write.
///
/// The hub holds no state of its own beyond this, so several hub processes can share one store.
/// Implementations keep all their SQL in their own folder.
public protocol HubStore: Sendable {
    /// Applies `changes` and appends `audit` to the chain in one transaction; returns the sealed entries.
    @discardableResult
    func commit(_ changes: [HubChange], audit: [AuditDraft], at time: Date) async throws -> [AuditEntry]

    func agency(code: String) async throws -> Agency?
    func agencies() async throws -> [Agency]
    func principal(forTokenHash hash: String) async throws -> Principal?
    /// The credentials a principal holds now, oldest first (read on every request, never cached: a revoked
    /// one stops working at once on every hub process).
    func credentials(of principal: Principal) async throws -> [Credential]

    /// The latest published schema version of each resource.
    func catalogueEntries() async throws -> [CatalogueEntry]
    func catalogueEntry(resourceCode: String, schemaVersion: String?) async throws -> CatalogueEntry?

    func agreement(id: String) async throws -> SharingAgreement?
    func agreements(matching query: AgreementQuery) async throws -> [SharingAgreement]

    func demand(id: String) async throws -> SharingDemand?
    /// Demands in id order; `query.overdueAt` keeps the undecided ones whose deadline has passed.
    func demands(matching query: DemandQuery) async throws -> [SharingDemand]

    func objection(id: String) async throws -> Objection?
    /// Objections in id order.
    func objections(matching query: ObjectionQuery) async throws -> [Objection]

    /// A page of the entries the query selects, oldest first (see `AuditSearch`): with a `scanLimit`, a search that read
    /// that many of its leading index's entries without filling the page returns what it found and how far it got.
    func auditPage(matching query: AuditQuery, scanLimit: Int?) async throws -> AuditSearchPage
    /// The chain in order from `afterSeq`, for export and verification.
    func auditChain(afterSeq: Int64, limit: Int) async throws -> [AuditEntry]
    func auditHead() async throws -> (seq: Int64, hash: String)
    /// The agency index rows (what `AuditQuery.agency` filters on) for entries after `afterSeq` through
    /// `throughSeq`, by sequence: for checking the index against the chain it is derived from.
    func auditIndexRows(afterSeq: Int64, throughSeq: Int64) async throws -> [AuditIndexRow]
    func addCheckpoint(_ checkpoint: AuditCheckpoint) async throws
    func auditCheckpoints() async throws -> [AuditCheckpoint]
    func lastCheckpoint() async throws -> AuditCheckpoint?

    /// The highest accepted sequence of a resource, 0 before the first batch.
    func lastBatchSequence(resourceCode: String) async throws -> Int64
    func batch(resourceCode: String, sequence: Int64) async throws -> StoredBatch?
    /// Accepted batches in sequence order after `after`.
    func batches(resourceCode: String, after: Int64, limit: Int) async throws -> [StoredBatch]
    func delivery(agreementID: String, sequence: Int64) async throws -> StoredDelivery?
    /// Receipts for a resource's batches (all agreements), optionally for one sequence, in order.
    func receipts(resourceCode: String, sequence: Int64?) async throws -> [StoredReceipt]
    func receipt(agreementID: String, sequence: Int64) async throws -> StoredReceipt?
    /// The highest sequence an agreement's consumer has acknowledged, 0 before the first receipt.
    func acknowledgedSequence(agreementID: String) async throws -> Int64

    /// The highest request sequence of a verification agreement, 0 before the first.
    func lastVerificationSequence(agreementID: String) async throws -> Int64
    func verification(agreementID: String, sequence: Int64) async throws -> StoredVerification?
    /// A verification agreement's requests in sequence order after `after`.
    func verifications(agreementID: String, after: Int64, limit: Int) async throws -> [StoredVerification]
    /// Exchange totals per night from `from` through `through` (nights begin at 12:00 Beijing time), the
    /// resources' own rows and the agreements', optionally only those `agency` provides or consumes.
    func exchangeTotals(from: CalendarDate, through: CalendarDate, agency: String?) async throws -> [ExchangeNightTotal]
    /// The same nights as cadence judges them (see `CadenceNight`), only the rows that hold a pass or a receipt, each subject's in night order.
    func cadenceNights(from: CalendarDate, through: CalendarDate) async throws -> [CadenceNight]
    /// The same nights summed per month (each row's `night` is its month's first day), resource and agreement.
    func monthlyExchangeTotals(from: CalendarDate, through: CalendarDate) async throws -> [ExchangeNightTotal]
    /// Rows held back, per month, resource, item and rule.
    func monthlyQuarantineTotals(from: CalendarDate, through: CalendarDate) async throws -> [QuarantineNightTotal]
    /// When each agreement was active (`AgreementSpans`), per agreement in order, kept as the acts are committed.
    func agreementSpans() async throws -> [String: [ActiveSpan]]

    /// Console sessions. `consoleSession` answers only while the credential the session was opened with exists.
    func openConsoleSession(_ session: ConsoleSession) async throws
    func consoleSession(tokenHash: String) async throws -> ConsoleSession?
    func touchConsoleSession(tokenHash: String, at time: String) async throws
    func closeConsoleSession(tokenHash: String) async throws
    /// Removes the sessions last seen before `lastSeenBefore` or opened before `openedBefore`.
    func closeConsoleSessions(lastSeenBefore: String, openedBefore: String) async throws

    func metadata(_ key: String) async throws -> String?
    func setMetadata(_ key: String, _ value: String) async throws

    /// The schema migrations applied to the database, and those this gx knows: equal when it is current.
    func appliedMigrations() async throws -> [String]
    var knownMigrations: [String] { get }
}

extension HubStore {
    /// The entries the query selects, however far the search must read to fill the page.
    public func auditEntries(matching query: AuditQuery) async throws -> [AuditEntry] {
        try await auditPage(matching: query, scanLimit: nil).entries
    }
}
