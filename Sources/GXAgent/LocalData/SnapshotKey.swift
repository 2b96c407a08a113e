import GXDomain

/// Joins a record's key values into the one TEXT primary key the digest store indexes, reversibly.
///
/// Values are separated by U+001F (unit separator); a U+001F or U+001B inside a value is escaped with
/// U+001B, so any values round-trip and distinct keys never collide. Keys without those control
/// characters — all real ones — are stored as plain text.
enum SnapshotKey {
    private static let separator: Unicode.Scalar = "\u{1F}"
    private static let escape: Unicode.Scalar = "\u{1B}"

    static func encode(_ values: [String]) -> String {
        if values.count == 1, !needsEscaping(values[0]) { return values[0] }
        var result = String.UnicodeScalarView()
        for (index, value) in values.enumerated() {
            if index > 0 { result.append(separator) }
            for scalar in value.unicodeScalars {
                if scalar == separator || scalar == escape { result.append(escape) }
                result.append(scalar)
            }
        }
        return String(result)
    }

    /// `encode` of the values at `indices` (a missing value as the empty string), without an array for
    /// the usual single-column key.
    static func encode(_ values: [String?], at indices: [Int]) -> String {
        if indices.count == 1, let value = values[indices[0]], !needsEscaping(value) { return value }
        return encode(indices.map { values[$0] ?? "" })
    }

    /// `encode(_:at:)` of catalogue values given as bytes (the provider's byte path), the same text.
    static func encode(_ values: RowBytes, at indices: [Int]) -> String {
        values.bytes.withUnsafeBufferPointer { bytes in
            if indices.count == 1, !values.isAbsent(indices[0]) {
                let value = UnsafeBufferPointer(rebasing: bytes[values.range(indices[0])])
                if !value.contains(where: { $0 == 0x1F || $0 == 0x1B }) { return String(decoding: value, as: UTF8.self) }
            }
            // U+001F and U+001B are one byte each in UTF-8, and no other scalar's encoding holds those bytes.
            var joined: [UInt8] = []
            for (position, index) in indices.enumerated() {
                if position > 0 { joined.append(0x1F) }
                for byte in bytes[values.range(index)] {
                    if byte == 0x1F || byte == 0x1B { joined.append(0x1B) }
                    joined.append(byte)
                }
            }
            return String(decoding: joined, as: UTF8.self)
        }
    }

    static func decode(_ key: String) -> [String] {
        guard needsEscaping(key) else { return [key] }
        var values: [String] = []
        var current = String.UnicodeScalarView()
        var escaped = false
        for scalar in key.unicodeScalars {
            if escaped {
                current.append(scalar)
                escaped = false
            } else if scalar == escape {
                escaped = true
            } else if scalar == separator {
                values.append(String(current))
                current = String.UnicodeScalarView()
            } else {
                current.append(scalar)
            }
        }
        values.append(String(current))
        return values
    }

    private static func needsEscaping(_ value: String) -> Bool {
        value.utf8.contains { $0 == 0x1F || $0 == 0x1B }
    }
}
