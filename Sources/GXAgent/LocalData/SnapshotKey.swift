/// Joins a record's key values into the one TEXT primary key the digest store indexes, reversibly.
///
/// Values are separated by U+001F (unit separator); a U+001F or U+001B inside a value is escaped with
/// U+001B, so any values round-trip and distinct keys never collide. Keys without those control
/// characters — all real ones — are stored as plain text.
enum SnapshotKey {
    private static let separator: Character = "\u{1F}"
    private static let escape: Character = "\u{1B}"

    static func encode(_ values: [String]) -> String {
        if values.count == 1, !needsEscaping(values[0]) { return values[0] }
        var result = ""
        for (index, value) in values.enumerated() {
            if index > 0 { result.append(separator) }
            if needsEscaping(value) {
                for character in value {
                    if character == separator || character == escape { result.append(escape) }
                    result.append(character)
                }
            } else {
                result += value
            }
        }
        return result
    }

    static func decode(_ key: String) -> [String] {
        guard needsEscaping(key) else { return [key] }
        var values: [String] = []
        var current = ""
        var escaped = false
        for character in key {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == escape {
                escaped = true
            } else if character == separator {
                values.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        values.append(current)
        return values
    }

    private static func needsEscaping(_ value: String) -> Bool {
        value.utf8.contains { $0 == 0x1F || $0 == 0x1B }
    }
}
