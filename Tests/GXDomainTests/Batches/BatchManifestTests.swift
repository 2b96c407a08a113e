import Foundation
import GXDomain
import Testing

@Suite("Batch manifests: the end-of-pass mark")
struct BatchManifestTests {
    static func manifest(endsPass: Bool?) -> BatchManifest {
        BatchManifest(provider: "111100000000210552", resourceCode: "RK-001", schemaVersion: "1.0", sequence: 3, items: ["公民身份号码"],
                      changes: ChangeRange(mode: .snapshot, generation: 2, full: false), counts: BatchCounts(upserts: 1), quarantine: [],
                      records: PayloadDigest(sm3: String(repeating: "a", count: 64), bytes: 10),
                      wire: PayloadDigest(sm3: String(repeating: "b", count: 64), bytes: 8), createdAt: "2026-11-30T01:00:00.000Z",
                      endsPass: endsPass)
    }

    @Test("a manifest without the mark has no ends_pass field, so manifests signed before it keep their bytes")
    func unmarkedManifestOmitsTheField() throws {
        let text = try CanonicalJSON(encoding: Self.manifest(endsPass: nil)).canonicalString
        #expect(!text.contains("ends_pass"), "\(text)")
    }

    @Test("the last batch of a pass says so in its signed bytes and reads back as the last")
    func markedManifestRoundTrips() throws {
        let bytes = try CanonicalJSON(encoding: Self.manifest(endsPass: true)).canonicalBytes
        #expect(String(decoding: bytes, as: UTF8.self).contains(#""ends_pass":true"#))
        let decoded = try JSONDecoder().decode(BatchManifest.self, from: Data(bytes))
        #expect(decoded.isLastOfPass)
        #expect(!(try JSONDecoder().decode(BatchManifest.self, from: Data(try CanonicalJSON(encoding: Self.manifest(endsPass: nil)).canonicalBytes))).isLastOfPass)
    }
}
