import GXDomain

/// One change to the hub's state. A store applies a list of them and their audit entries in one
/// transaction, so the state and the evidence of it never disagree.
public enum HubChange: Sendable {
    case registerAgency(Agency)
    /// Replaces an agency's registration (a rotated key); the agency must exist.
    case updateAgency(Agency)
    case addCredential(Credential)
    /// Adds a principal's first credential; a duplicate if it already holds one (an auditor added twice must
    /// not end up with two working tokens).
    case addFirstCredential(Credential)
    /// Revokes every credential of the principal (used when a key or a token is rotated).
    case revokeCredentials(of: Principal)
    /// Revokes one credential of the principal, by its token's SM3; not found if the principal holds none such.
    case revokeCredential(tokenHash: String, of: Principal)
    /// Publishes a new schema version of an entry, or republishes the same version.
    case publishCatalogueEntry(CatalogueEntry)
    /// Inserts an agreement (`expectedRevision` nil) or updates one that is still at `expectedRevision`.
    case saveAgreement(SharingAgreement, expectedRevision: Int?)
    /// Records an accepted batch; a batch with the same resource and sequence already there is a duplicate.
    case acceptBatch(StoredBatch)
    /// Records a projection prepared for a consumer (kept if one is already there).
    case recordDelivery(StoredDelivery)
    /// Records a consumer's receipt; one per agreement and sequence.
    case recordReceipt(StoredReceipt)
    /// Notes that a batch's payload files were deleted under the retention setting.
    case pruneBatch(resourceCode: String, sequence: Int64)
    /// Inserts a demand (`expectedRevision` nil) or updates one that is still at `expectedRevision`.
    case saveDemand(SharingDemand, expectedRevision: Int?)
    /// Inserts an objection (`expectedRevision` nil) or updates one that is still at `expectedRevision`.
    case saveObjection(Objection, expectedRevision: Int?)
    /// Brings the agency index back in line with the chain: adds the rows it lacks, removes those no entry implies.
    case repairAuditIndex(add: [AuditIndexRow], remove: [AuditIndexRow])
    /// Inserts a verification request (`expectedRevision` nil; the next sequence of its agreement) or updates
    /// one that is still at `expectedRevision` (its answer, its receipt).
    case saveVerification(StoredVerification, expectedRevision: Int?)
    /// Keeps a finished upload, written under a provisional name, under the name a row of the same commit
    /// gives it (`PayloadStore.keeping`). Only a store that keeps payloads (PostgreSQL) applies it.
    case keepPayload(provisional: String, as: String)
    /// Deletes kept payloads in the commit that stops naming them (`PayloadStore.deleting`). Only a store
    /// that keeps payloads (PostgreSQL) applies it.
    case deletePayloads([String])
}
