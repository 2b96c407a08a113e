import GXCrypto

/// How links are made: the one definition both the stores (appending) and the verifier use.
public enum AuditChain {
    /// The previous hash of the first entry.
    public static let genesisHash = String(repeating: "0", count: 64)

    public static func seal(_ draft: AuditDraft, seq: Int64, time: String, prevHash: String) -> AuditEntry {
        var entry = AuditEntry(seq: seq, time: time, actor: draft.actor, action: draft.action, subject: draft.subject,
                               agreement: draft.agreement, agencies: draft.agencies, details: draft.details,
                               prevHash: prevHash, hash: "")
        entry.hash = linkHash(of: entry)
        return entry
    }

    /// SM3(previous hash bytes ‖ canonical body), lowercase hex.
    public static func linkHash(of entry: AuditEntry) -> String {
        var hasher = SM3Hasher()
        hasher.update(SM3Digest(hex: entry.prevHash)?.bytes ?? Array(entry.prevHash.utf8))
        hasher.update(entry.canonicalBody)
        return hasher.finalize().hex
    }
}
