import GXDomain

/// Request and response bodies of the hub's JSON API, shared by the hub and the `gx` client.
public enum HubAPI {
    public struct RegisterAgency: Codable, Sendable {
        public var code: String
        public var name: String
        public var publicKey: String
        public var roles: [AgencyRole]

        public init(code: String, name: String, publicKey: String, roles: [AgencyRole]) {
            self.code = code
            self.name = name
            self.publicKey = publicKey
            self.roles = roles
        }

        enum CodingKeys: String, CodingKey { case code, name, publicKey = "public_key", roles }
    }

    /// A new SM2 key for an agency. When the agency rotates its own key, `proof` is its current key's
    /// signature (DER, base64) over the new key's PEM text: only the holder of the old key can replace it.
    /// The authority may rotate without proof (a lost or compromised key).
    public struct RotateKey: Codable, Sendable {
        public var publicKey: String
        public var proof: String?
        public init(publicKey: String, proof: String? = nil) {
            self.publicKey = publicKey
            self.proof = proof
        }
        enum CodingKeys: String, CodingKey { case publicKey = "public_key", proof }
    }

    /// Revokes one of an agency's keys as compromised: named by the SM3 of its PEM, refused from `revoked_at`
    /// (default now; never later than now) on.
    public struct RevokeKey: Codable, Sendable {
        public var publicKeySM3: String
        public var revokedAt: String?
        public var reason: String
        public init(publicKeySM3: String, revokedAt: String? = nil, reason: String) {
            self.publicKeySM3 = publicKeySM3
            self.revokedAt = revokedAt
            self.reason = reason
        }
        enum CodingKeys: String, CodingKey { case publicKeySM3 = "public_key_sm3", revokedAt = "revoked_at", reason }
    }

    /// A new credential. The token is shown once; the hub keeps only its hash.
    public struct IssuedCredential: Codable, Sendable {
        public var principal: String
        public var token: String
        public init(principal: String, token: String) {
            self.principal = principal
            self.token = token
        }
    }

    public struct RegisteredAgency: Codable, Sendable {
        public var agency: Agency
        public var credential: IssuedCredential
        public init(agency: Agency, credential: IssuedCredential) {
            self.agency = agency
            self.credential = credential
        }
    }

    public struct AddAuditor: Codable, Sendable {
        public var name: String
        public init(name: String) { self.name = name }
    }

    public struct Sign: Codable, Sendable {
        /// DER SM2 signature over the canonical terms, base64.
        public var signature: String
        /// Optional: the agency the caller means to sign as; refused if it is not the caller.
        public var signer: String?
        public init(signature: String, signer: String? = nil) {
            self.signature = signature
            self.signer = signer
        }
    }

    /// A filing (备案): an optional note, and the data levels above 一般 the authority acknowledges the
    /// agreement shares — required, exactly, when it shares any (重要, 核心).
    public struct Filing: Codable, Sendable {
        public var reason: String?
        public var acknowledgedLevels: [String]?
        public init(reason: String? = nil, acknowledgedLevels: [String]? = nil) {
            self.reason = reason
            self.acknowledgedLevels = acknowledgedLevels
        }
        enum CodingKeys: String, CodingKey { case reason, acknowledgedLevels = "acknowledged_levels" }
    }

    public struct Reason: Codable, Sendable {
        public var reason: String
        public init(reason: String) { self.reason = reason }
    }

    /// The agreement and the exact bytes a party signs, so a client never has to re-derive them.
    public struct AgreementView: Codable, Sendable {
        public var agreement: SharingAgreement
        public var canonicalTerms: String
        public var contentDigest: String
        /// The pending amendment's canonical terms, the bytes a party signs for it.
        public var canonicalAmendmentTerms: String?
        public init(agreement: SharingAgreement) {
            self.agreement = agreement
            self.canonicalTerms = agreement.terms.canonicalJSON.canonicalString
            self.contentDigest = agreement.terms.contentDigest.hex
            self.canonicalAmendmentTerms = agreement.amendment?.terms.canonicalJSON.canonicalString
        }
        enum CodingKeys: String, CodingKey {
            case agreement, canonicalTerms = "canonical_terms", contentDigest = "content_digest"
            case canonicalAmendmentTerms = "canonical_amendment_terms"
        }
    }

    public struct AuditPage: Codable, Sendable {
        public var entries: [AuditEntry]
        /// Pass as `after` to get the next page; absent on the last page.
        public var nextAfter: Int64?
        public init(entries: [AuditEntry], nextAfter: Int64?) {
            self.entries = entries
            self.nextAfter = nextAfter
        }
        enum CodingKeys: String, CodingKey { case entries, nextAfter = "next_after" }
    }

    public struct HubInfo: Codable, Sendable {
        public var name: String
        public var publicKey: String
        public var auditHeadSeq: Int64
        public var auditHeadHash: String
        public init(name: String, publicKey: String, auditHeadSeq: Int64, auditHeadHash: String) {
            self.name = name
            self.publicKey = publicKey
            self.auditHeadSeq = auditHeadSeq
            self.auditHeadHash = auditHeadHash
        }
        enum CodingKeys: String, CodingKey { case name, publicKey = "public_key", auditHeadSeq = "audit_head_seq", auditHeadHash = "audit_head_hash" }
    }

    /// Every error the hub returns: what went wrong and, for bad input, which field.
    public struct ErrorBody: Codable, Sendable {
        public var error: String
        public var field: String?
        public init(error: String, field: String?) {
            self.error = error
            self.field = field
        }
    }

    /// One line of an audit export (NDJSON): an entry, a checkpoint, or the header naming the hub key.
    public struct ExportLine: Codable, Sendable {
        public enum Kind: String, Codable, Sendable { case header, entry, checkpoint }
        public var type: Kind
        public var hubPublicKey: String?
        public var entry: AuditEntry?
        public var checkpoint: AuditCheckpoint?
        /// On the header of a filtered export: the filters (API names, instants in UTC). Such a file holds only
        /// the matching entries, so it is a selection, never the whole chain, and cannot be verified as one.
        public var selection: [String: String]?

        public init(type: Kind, hubPublicKey: String? = nil, entry: AuditEntry? = nil, checkpoint: AuditCheckpoint? = nil,
                    selection: [String: String]? = nil) {
            self.type = type
            self.hubPublicKey = hubPublicKey
            self.entry = entry
            self.checkpoint = checkpoint
            self.selection = selection
        }
        enum CodingKeys: String, CodingKey { case type, hubPublicKey = "hub_public_key", entry, checkpoint, selection }
    }
}
