/// Checks records against a catalogue entry for a given item order (the batch's items, which may be a
/// subset — e.g. the agreed items a consumer receives).
///
/// Values must be in their canonical form (see ``ItemType/formViolation(_:)``); the catalogue entry
/// adds lengths, required items, code tables and identifier standards. The entry is compiled once
/// into per-item checks so that checking a record does no lookups by name.
public struct RecordValidator: Sendable {
    public let entry: CatalogueEntry
    public let items: [String]
    /// Index in `items` of each key item, in the entry's key order.
    public let keyIndices: [Int]
    let checks: [ItemCheck]

    /// Unknown item names → `InvalidInput(field: "items", reason: "'X' is not an item of FR-001 …")`.
    /// Items must include all key items of the entry, since deletes and upserts are matched on them.
    public init(entry: CatalogueEntry, items: [String]) throws(InvalidInput) {
        var checks: [ItemCheck] = []
        var seen = Set<String>()
        for name in items {
            guard let item = entry.item(named: name) else {
                throw InvalidInput(
                    field: "items",
                    reason: "'\(name)' is not an item of \(entry.resourceCode) \(entry.name) (items: \(entry.items.map(\.name).joined(separator: ", ")))"
                )
            }
            guard seen.insert(name).inserted else {
                throw InvalidInput(field: "items", reason: "'\(name)' appears more than once")
            }
            checks.append(ItemCheck(item))
        }
        var keyIndices: [Int] = []
        for key in entry.keyItems {
            guard let index = items.firstIndex(of: key.name) else {
                throw InvalidInput(
                    field: "items",
                    reason: "the key item '\(key.name)' of \(entry.resourceCode) is missing: every batch carries the key"
                )
            }
            keyIndices.append(index)
        }
        self.entry = entry
        self.items = items
        self.keyIndices = keyIndices
        self.checks = checks
    }

    /// The first violation, or `nil`. Upserts: every item checked by type, length (in Characters),
    /// required, code table, identifier standard. Deletes: key items checked, all non-key values must be
    /// `nil` (a delete names a record; it does not carry data).
    public func violation(in record: CanonicalRecord) -> RecordViolation? {
        guard record.values.count == checks.count else {
            return RecordViolation(item: "record", rule: "\(record.values.count) values, expected \(checks.count)", value: nil)
        }
        switch record.operation {
        case .upsert:
            for index in checks.indices {
                if let violation = checks[index].violation(record.values[index]) { return violation }
            }
        case .delete:
            for index in checks.indices {
                let check = checks[index]
                if check.key {
                    if let violation = check.violation(record.values[index]) { return violation }
                } else if let value = record.values[index] {
                    return RecordViolation(item: check.name, rule: "must be absent in a delete (only key items are sent)", value: value)
                }
            }
        }
        return nil
    }

    /// `violation(in:)` of a checked line, read from its bytes: a value becomes a `String` only when it
    /// holds an escape or breaks a rule.
    public func violation(in line: CanonicalRecordLine) -> RecordViolation? {
        guard line.valueCount == checks.count else {
            return RecordViolation(item: "record", rule: "\(line.valueCount) values, expected \(checks.count)", value: nil)
        }
        let upsert = line.operation == .upsert
        return line.bytes.withUnsafeBufferPointer { bytes -> RecordViolation? in
            for index in checks.indices {
                let check = checks[index]
                let start = line.offset(2 * index), end = line.offset(2 * index + 1)
                guard bytes[start] == UInt8(ascii: "\"") else {
                    if upsert || check.key, let violation = check.violation(nil) { return violation }
                    continue
                }
                guard upsert || check.key else {
                    return RecordViolation(item: check.name, rule: "must be absent in a delete (only key items are sent)", value: line.value(index))
                }
                let text = UnsafeBufferPointer(rebasing: bytes[(start + 1)..<(end - 1)])
                if text.contains(UInt8(ascii: "\\")) {
                    if let violation = check.violation(line.value(index)) { return violation }
                } else if let violation = check.violation(text, String(decoding: text, as: UTF8.self)) {
                    return violation
                }
            }
            return nil
        }
    }
}

/// One item's rules, resolved from the catalogue entry once per validator. A class, so checking every
/// record retains one reference instead of copying each field.
final class ItemCheck: Sendable {
    let name: String
    let type: ItemType
    let length: Int?
    let required: Bool
    let key: Bool
    let codes: Set<String>?
    /// The code table packed (see `packedCode`) when every code is ASCII of at most 7 bytes, as real code
    /// tables are: an ASCII value is then looked up without hashing a String. Nil otherwise.
    let packedCodes: Set<UInt64>?
    let codeTableName: String
    let identifier: IdentifierKind?

    init(_ item: InformationItem) {
        name = item.name
        type = item.type
        length = item.length
        required = item.required || item.key
        key = item.key
        let codes = item.codeTable.map { Set($0.codes.keys) } ?? (item.type == .code ? [] : nil)
        self.codes = codes
        var packed: Set<UInt64>? = codes.map { _ in [] }
        for code in codes ?? [] {
            var code = code
            guard let value = code.withUTF8(Self.packedCode) else {
                packed = nil
                break
            }
            packed?.insert(value)
        }
        packedCodes = packed
        codeTableName = item.codeTable?.name ?? "the code table of \(item.name)"
        identifier = item.identifier
    }

    /// Checks in the order a person fixes them: presence, shape, length, code, check characters.
    func violation(_ value: String?) -> RecordViolation? {
        guard let value else { return required ? RecordViolation(item: name, rule: "required", value: nil) : nil }
        return IdentifierText.withUTF8(value) { bytes in violation(bytes, value) }
    }

    /// `violation(_:)` of a present value given as its UTF-8 bytes; `text` makes the `String` only for the
    /// rare checks that need one (grapheme counts, non-ASCII codes) and for the violation itself.
    @inline(__always)
    func violation(_ bytes: UnsafeBufferPointer<UInt8>, _ text: @autoclosure () -> String) -> RecordViolation? {
        // An empty text is no value for a required item; elsewhere only a string item may be empty.
        if bytes.isEmpty, required { return RecordViolation(item: name, rule: "required", value: "") }
        let rule: String? = {
            if let rule = type.formViolation(utf8: bytes) { return rule }
            if let length, Self.isLonger(text, bytes, than: length) { return "longer than \(length) characters" }
            if let codes, !Self.contains(text, bytes, codes, packedCodes) { return "not in \(codeTableName)" }
            if let identifier, let violation = IdentifierValidator.violation(utf8: bytes, as: identifier) {
                return "\(identifier.standard): \(violation.rule)"
            }
            return nil
        }()
        return rule.map { RecordViolation(item: name, rule: $0, value: text()) }
    }

    @inline(__always)
    static func contains(_ value: () -> String, _ bytes: UnsafeBufferPointer<UInt8>, _ codes: Set<String>, _ packed: Set<UInt64>?) -> Bool {
        if let packed, let key = packedCode(bytes) { return packed.contains(key) }
        // Not ASCII, or longer: String equality (canonical equivalence) decides.
        return codes.contains(value())
    }

    /// An ASCII text of at most 7 bytes as one number: its bytes, then its length in the top byte (so "0"
    /// and "00" differ). For ASCII, byte equality is String equality. Nil for anything else.
    static func packedCode(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64? {
        guard bytes.count <= 7 else { return nil }
        var packed = UInt64(bytes.count) << 56
        for (position, byte) in bytes.enumerated() {
            guard byte < 0x80 else { return nil }
            packed |= UInt64(byte) << (8 * position)
        }
        return packed
    }

    /// Whether `value` has more than `length` Characters, counting graphemes only when the cheap bounds
    /// (bytes, then scalars — each at least the number of Characters) do not settle it.
    @inline(__always)
    static func isLonger(_ value: () -> String, _ bytes: UnsafeBufferPointer<UInt8>, than length: Int) -> Bool {
        if bytes.count <= length { return false }
        if IdentifierText.characterCount(bytes) <= length { return false }
        return value().count > length
    }
}
