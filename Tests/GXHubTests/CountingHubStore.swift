import Foundation
import GXDomain
import GXStorage
import Synchronization

/// A store that counts how often the hub asks for a resource's batches, to show what a waiting request costs.
final class CountingHubStore: HubStore {
    let base: any HubStore
    private let reads = Atomic<Int>(0)
    var batchReads: Int { reads.load(ordering: .relaxed) }

    init(_ base: any HubStore) { self.base = base }

    func lastBatchSequence(resourceCode: String) async throws -> Int64 {
        reads.add(1, ordering: .relaxed)
        return try await base.lastBatchSequence(resourceCode: resourceCode)
    }

    func batches(resourceCode: String, after: Int64, limit: Int) async throws -> [StoredBatch] {
        reads.add(1, ordering: .relaxed)
        return try await base.batches(resourceCode: resourceCode, after: after, limit: limit)
    }

    func commit(_ changes: [HubChange], audit: [AuditDraft], at time: Date) async throws -> [AuditEntry] {
        try await base.commit(changes, audit: audit, at: time)
    }
    func agency(code: String) async throws -> Agency? { try await base.agency(code: code) }
    func agencies() async throws -> [Agency] { try await base.agencies() }
    func principal(forTokenHash hash: String) async throws -> Principal? { try await base.principal(forTokenHash: hash) }
    func credentials(of principal: Principal) async throws -> [Credential] { try await base.credentials(of: principal) }
    func demand(id: String) async throws -> SharingDemand? { try await base.demand(id: id) }
    func auditIndexRows(afterSeq: Int64, throughSeq: Int64) async throws -> [AuditIndexRow] {
        try await base.auditIndexRows(afterSeq: afterSeq, throughSeq: throughSeq)
    }
    func openConsoleSession(_ session: ConsoleSession) async throws { try await base.openConsoleSession(session) }
    func consoleSession(tokenHash: String) async throws -> ConsoleSession? { try await base.consoleSession(tokenHash: tokenHash) }
    func touchConsoleSession(tokenHash: String, at time: String) async throws { try await base.touchConsoleSession(tokenHash: tokenHash, at: time) }
    func closeConsoleSession(tokenHash: String) async throws { try await base.closeConsoleSession(tokenHash: tokenHash) }
    func closeConsoleSessions(lastSeenBefore: String, openedBefore: String) async throws {
        try await base.closeConsoleSessions(lastSeenBefore: lastSeenBefore, openedBefore: openedBefore)
    }
    func demands(matching query: DemandQuery) async throws -> [SharingDemand] { try await base.demands(matching: query) }
    func objection(id: String) async throws -> Objection? { try await base.objection(id: id) }
    func objections(matching query: ObjectionQuery) async throws -> [Objection] { try await base.objections(matching: query) }
    func lastVerificationSequence(agreementID: String) async throws -> Int64 { try await base.lastVerificationSequence(agreementID: agreementID) }
    func verification(agreementID: String, sequence: Int64) async throws -> StoredVerification? {
        try await base.verification(agreementID: agreementID, sequence: sequence)
    }
    func verifications(agreementID: String, after: Int64, limit: Int) async throws -> [StoredVerification] {
        try await base.verifications(agreementID: agreementID, after: after, limit: limit)
    }
    func catalogueEntries() async throws -> [CatalogueEntry] { try await base.catalogueEntries() }
    func catalogueEntry(resourceCode: String, schemaVersion: String?) async throws -> CatalogueEntry? {
        try await base.catalogueEntry(resourceCode: resourceCode, schemaVersion: schemaVersion)
    }
    func agreement(id: String) async throws -> SharingAgreement? { try await base.agreement(id: id) }
    func agreements(matching query: AgreementQuery) async throws -> [SharingAgreement] { try await base.agreements(matching: query) }
    func auditPage(matching query: AuditQuery, scanLimit: Int?) async throws -> AuditSearchPage {
        try await base.auditPage(matching: query, scanLimit: scanLimit)
    }
    func auditChain(afterSeq: Int64, limit: Int) async throws -> [AuditEntry] { try await base.auditChain(afterSeq: afterSeq, limit: limit) }
    func auditHead() async throws -> (seq: Int64, hash: String) { try await base.auditHead() }
    func addCheckpoint(_ checkpoint: AuditCheckpoint) async throws { try await base.addCheckpoint(checkpoint) }
    func auditCheckpoints() async throws -> [AuditCheckpoint] { try await base.auditCheckpoints() }
    func lastCheckpoint() async throws -> AuditCheckpoint? { try await base.lastCheckpoint() }
    func batch(resourceCode: String, sequence: Int64) async throws -> StoredBatch? { try await base.batch(resourceCode: resourceCode, sequence: sequence) }
    func delivery(agreementID: String, sequence: Int64) async throws -> StoredDelivery? {
        try await base.delivery(agreementID: agreementID, sequence: sequence)
    }
    func receipts(resourceCode: String, sequence: Int64?) async throws -> [StoredReceipt] {
        try await base.receipts(resourceCode: resourceCode, sequence: sequence)
    }
    func receipt(agreementID: String, sequence: Int64) async throws -> StoredReceipt? { try await base.receipt(agreementID: agreementID, sequence: sequence) }
    func acknowledgedSequence(agreementID: String) async throws -> Int64 { try await base.acknowledgedSequence(agreementID: agreementID) }
    func exchangeTotals(from: CalendarDate, through: CalendarDate, agency: String?) async throws -> [ExchangeNightTotal] {
        try await base.exchangeTotals(from: from, through: through, agency: agency)
    }
    func cadenceNights(from: CalendarDate, through: CalendarDate) async throws -> [CadenceNight] {
        try await base.cadenceNights(from: from, through: through)
    }
    func monthlyExchangeTotals(from: CalendarDate, through: CalendarDate) async throws -> [ExchangeNightTotal] {
        try await base.monthlyExchangeTotals(from: from, through: through)
    }
    func monthlyQuarantineTotals(from: CalendarDate, through: CalendarDate) async throws -> [QuarantineNightTotal] {
        try await base.monthlyQuarantineTotals(from: from, through: through)
    }
    func agreementSpans() async throws -> [String: [ActiveSpan]] { try await base.agreementSpans() }
    func metadata(_ key: String) async throws -> String? { try await base.metadata(key) }
    func setMetadata(_ key: String, _ value: String) async throws { try await base.setMetadata(key, value) }
    func appliedMigrations() async throws -> [String] { try await base.appliedMigrations() }
    var knownMigrations: [String] { base.knownMigrations }
}
