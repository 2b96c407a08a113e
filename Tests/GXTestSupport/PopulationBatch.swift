import Foundation
import GXCrypto
import GXDomain

/// 人口 records as 市公安局 would push them (RK-001), for agreement BJ-GX-2026-004 to 市人力社保局.
public enum PopulationBatch {
    public static let provider = "111100000000210552"
    public static let consumer = "11110000000021063W"
    public static let agreement = "BJ-GX-2026-004"

    public static func citizenID(_ serial: Int) -> String {
        let body = "11010119800101" + String(format: "%03d", serial % 1000)
        let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
        let sum = zip(body, weights).reduce(0) { $0 + Int(String($1.0))! * $1.1 }
        return body + String(Array("10X98765432")[sum % 11])
    }

    /// All ten items of the entry, in catalogue order; 住址 and 联系电话 are not agreed with the consumer.
    public static func record(_ serial: Int, name: String = "张三") -> CanonicalRecord {
        CanonicalRecord(operation: .upsert, values: [citizenID(serial), name, "1", "01", "1980-01-01", "北京市东城区东华门街道1号",
                                                     "110101", "0", "10", "13800000000"])
    }

    public static func delete(_ serial: Int) -> CanonicalRecord {
        CanonicalRecord(operation: .delete, values: [citizenID(serial)] + [String?](repeating: nil, count: 9))
    }

    public static let items = ["公民身份号码", "姓名", "性别代码", "民族代码", "出生日期", "住址", "户籍地行政区划", "人员状态代码", "婚姻状况代码", "联系电话"]

    public struct Built: Sendable {
        public var manifest: BatchManifest
        public var payload: [UInt8]
        public var signed: SignedDocument<BatchManifest>
    }

    public static func build(_ records: [CanonicalRecord], sequence: Int64, key: SM2PrivateKey, provider: String = provider,
                      tamper: (inout BatchManifest) -> Void = { _ in }) throws -> Built {
        let encoder = try BatchPayloadEncoder()
        var payload: [UInt8] = []
        for record in records { try encoder.append(record) }
        try encoder.finish()
        payload += encoder.takeWire()
        let digests = encoder.digests()
        var manifest = BatchManifest(provider: provider, resourceCode: "RK-001", schemaVersion: "1.0", sequence: sequence, items: items,
                                     changes: ChangeRange(mode: .snapshot, generation: sequence, full: sequence == 1),
                                     counts: encoder.counts, quarantine: [], records: digests.records, wire: digests.wire,
                                     createdAt: "2026-11-23T01:00:00.000Z")
        tamper(&manifest)
        return Built(manifest: manifest, payload: payload, signed: try SignedDocument(signing: manifest, with: key))
    }
}
