/// Bodies of the hub's verification (比对核实) routes, shared by the hub and the agent.
public enum VerificationAPI {
    /// The hub's answer to a pushed request or answer.
    public struct Outcome: Codable, Sendable {
        /// "accepted", or "already accepted" for an idempotent resend.
        public var status: String
        public var sequence: Int64
        public var sm3: String
        public init(status: String, sequence: Int64, sm3: String) {
            self.status = status
            self.sequence = sequence
            self.sm3 = sm3
        }
    }

    /// A verification agreement's requests after a sequence, as its consumer, its provider, the admin or an
    /// auditor sees them: the signed documents, never a record.
    public struct Listing: Codable, Sendable {
        public var lastSequence: Int64
        public var verifications: [Entry]
        public init(lastSequence: Int64, verifications: [Entry]) {
            self.lastSequence = lastSequence
            self.verifications = verifications
        }
        enum CodingKeys: String, CodingKey { case lastSequence = "last_sequence", verifications }
    }

    public struct Entry: Codable, Sendable {
        public var sequence: Int64
        public var request: VerificationRequest
        public var requestSM3: String
        public var requestedAt: String
        public var requestBase64: String
        public var requestSignatureBase64: String
        public var answer: VerificationAnswer?
        public var answerBase64: String?
        public var answerSignatureBase64: String?
        public var answeredAt: String?
        public var receipt: VerificationReceipt?
        public var receivedAt: String?

        public init(sequence: Int64, request: VerificationRequest, requestSM3: String, requestedAt: String, requestBase64: String,
                    requestSignatureBase64: String) {
            self.sequence = sequence
            self.request = request
            self.requestSM3 = requestSM3
            self.requestedAt = requestedAt
            self.requestBase64 = requestBase64
            self.requestSignatureBase64 = requestSignatureBase64
        }

        enum CodingKeys: String, CodingKey {
            case sequence, request, requestSM3 = "request_sm3", requestedAt = "requested_at", requestBase64 = "request_base64"
            case requestSignatureBase64 = "request_signature_base64", answer, answerBase64 = "answer_base64"
            case answerSignatureBase64 = "answer_signature_base64", answeredAt = "answered_at", receipt, receivedAt = "received_at"
        }
    }
}
