import Foundation
import GXCrypto

/// The hub's signed statement that the chain had `seq` entries ending in `headHash` at `time`.
/// It lets an auditor detect a truncated tail, and pins the whole prefix to the hub key.
public struct AuditCheckpoint: Codable, Sendable, Hashable {
    public var seq: Int64
    public var headHash: String
    public var time: String
    /// DER SM2 signature by the hub key over `signedBytes`, base64.
    public var signature: String

    public init(seq: Int64, headHash: String, time: String, signature: String) {
        self.seq = seq
        self.headHash = headHash
        self.time = time
        self.signature = signature
    }

    enum CodingKeys: String, CodingKey {
        case seq, headHash = "head_hash", time, signature
    }

    public static func signedBytes(seq: Int64, headHash: String, time: String) -> [UInt8] {
        CanonicalJSON.object(["type": "audit_checkpoint", "seq": .integer(seq), "head_hash": .string(headHash), "time": .string(time)]).canonicalBytes
    }

    public static func signing(seq: Int64, headHash: String, at date: Date, with key: SM2PrivateKey) throws -> AuditCheckpoint {
        let time = Timestamp.string(from: date)
        let der = try key.signature(for: signedBytes(seq: seq, headHash: headHash, time: time))
        return AuditCheckpoint(seq: seq, headHash: headHash, time: time, signature: Data(der).base64EncodedString())
    }

    public func isValid(for hubKey: SM2PublicKey) -> Bool {
        guard let der = Data(base64Encoded: signature) else { return false }
        return hubKey.isValidSignature([UInt8](der), for: Self.signedBytes(seq: seq, headHash: headHash, time: time))
    }
}
