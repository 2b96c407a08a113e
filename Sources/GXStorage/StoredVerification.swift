import GXDomain

/// One request of a verification (比对核实) agreement as the hub keeps it: the consumer's signed request,
/// then the provider's signed answer, then the consumer's signed receipt — each as the exact canonical bytes
/// that were signed (base64), and where the request's and the answer's payloads are. The provider's register
/// is never here: only the consumer's records and the answer's words.
public struct StoredVerification: Codable, Sendable, Hashable {
    public var request: VerificationRequest
    public var requestBase64: String
    public var requestSignatureBase64: String
    /// SM3 of the canonical request: how a resend is recognised and how the answer names it.
    public var requestSM3: String
    public var requestPath: String?
    public var requestedAt: String
    /// ``RequestKeyDigest`` of the request's keys, kept when every record asks every checked item: its answer
    /// is then checked without reading the request again. Nil for any other request (and those kept before).
    public var requestKeysSM3: String?
    public var answer: VerificationAnswer?
    public var answerBase64: String?
    public var answerSignatureBase64: String?
    public var answerSM3: String?
    public var answerPath: String?
    public var answeredAt: String?
    public var receipt: VerificationReceipt?
    public var receiptBase64: String?
    public var receiptSignatureBase64: String?
    public var receivedAt: String?
    /// Increases with every change; stores refuse a write based on an older revision.
    public var revision: Int

    public init(request: VerificationRequest, requestBase64: String, requestSignatureBase64: String, requestSM3: String,
                requestPath: String?, requestedAt: String) {
        self.request = request
        self.requestBase64 = requestBase64
        self.requestSignatureBase64 = requestSignatureBase64
        self.requestSM3 = requestSM3
        self.requestPath = requestPath
        self.requestedAt = requestedAt
        revision = 0
    }

    public var agreementID: String { request.agreementID }
    public var sequence: Int64 { request.sequence }
}
