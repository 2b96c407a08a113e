/// The provider's byte path: maps a local row given as bytes, validates it and writes its canonical upsert
/// line, without a `String` per value.
///
/// Built from an outgoing ``RecordMapper`` and the ``RecordValidator`` of the same items, so each rule stays
/// in one place: trimming and half-width (`LocalText`), code lookups (the mapping's own table), conversions
/// (`ValueConversion`), the checks (`ItemCheck`) and the escaping (`CanonicalJSON`). It handles the plain
/// row only — values that need at most ASCII white space trimmed, codes found by their bytes, conversions
/// that succeed, every check passed. For any other row ``encode(_:into:)`` answers `false` and the caller
/// maps the row with ``RecordMapper/map(_:)`` and ``RecordValidator/violation(in:)-(CanonicalRecord)``,
/// which give the same line, or the violation with its message. Holds scratch storage: one per thread.
public final class OutgoingLineEncoder {
    /// The catalogue values of the row last encoded (`nil` = absent), e.g. to make its key; meaningful only
    /// after ``encode(_:into:)`` answered `true`.
    public private(set) var values = RowBytes()
    private let inputCount: Int
    private let steps: [Step]

    /// One output value: its mapping step compiled for bytes, and its item's checks.
    private final class Step {
        let source: Int?
        let trim: Bool
        let halfwidth: Bool
        let codes: ByteCodes?
        let conversion: ValueConversion?
        /// What the mapping gives when the local value is absent or empty: the default, converted; `nil`
        /// when it gives a violation (left to the `String` path).
        let absent: [UInt8]??
        let check: ItemCheck

        init(_ step: MappingStep, inputCount: Int, check: ItemCheck) {
            source = step.source
            trim = step.trim
            halfwidth = step.halfwidth
            codes = step.codes.map(ByteCodes.init)
            conversion = step.conversion
            do throws(RecordViolation) {
                absent = .some(try step.outgoing([String?](repeating: nil, count: inputCount)).map { Array($0.utf8) })
            } catch {
                absent = nil
            }
            self.check = check
        }
    }

    /// Refuses (a programming error) a mapper that is not outgoing or whose items are not the validator's.
    public init(mapper: RecordMapper, validator: RecordValidator) {
        precondition(mapper.direction == .outgoing && mapper.outputs == validator.items, "the mapper and validator must be for the same items")
        inputCount = mapper.inputs.count
        steps = zip(mapper.steps, validator.checks).map { Step($0, inputCount: mapper.inputs.count, check: $1) }
    }

    /// Appends the row's canonical upsert line to `line` and answers `true`, with the row's catalogue values
    /// in ``values``; answers `false`, leaving `line` as it was, when the row is not the plain case.
    public func encode(_ row: RowBytes, into line: inout [UInt8]) -> Bool {
        guard row.count == inputCount else { return false }
        // Built in a local and stored back: mutating the stored property value by value would check
        // exclusive access on every append.
        var values = self.values
        self.values = RowBytes()
        values.removeAll()
        defer { self.values = values }
        let mapped = row.bytes.withUnsafeBufferPointer { local -> Bool in
            for step in steps {
                guard Self.map(row, local, step, into: &values) else { return false }
            }
            return true
        }
        guard mapped else { return false }
        line.append(contentsOf: Self.upsertStart)
        values.bytes.withUnsafeBufferPointer { bytes in
            for index in 0..<values.count {
                line.append(UInt8(ascii: ","))
                if values.isAbsent(index) {
                    line.append(contentsOf: CanonicalRecord.nullBytes)
                } else {
                    CanonicalJSON.writeString(utf8: UnsafeBufferPointer(rebasing: bytes[values.range(index)]), into: &line)
                }
            }
        }
        line.append(UInt8(ascii: "]"))
        line.append(UInt8(ascii: "\n"))
        return true
    }

    /// Appends the step's checked output to `values`, or answers `false`.
    private static func map(_ row: RowBytes, _ local: UnsafeBufferPointer<UInt8>, _ step: Step, into values: inout RowBytes) -> Bool {
        var value: UnsafeBufferPointer<UInt8>? = nil
        if let source = step.source, !row.isAbsent(source) {
            let field = UnsafeBufferPointer(rebasing: local[row.range(source)])
            guard let kept = step.halfwidth || step.trim ? LocalText.cleanedRange(field, halfwidth: step.halfwidth, trim: step.trim)
                                                         : 0..<field.count
            else { return false }
            if !kept.isEmpty { value = UnsafeBufferPointer(rebasing: field[kept]) }
        }
        guard let value else {
            guard let absent = step.absent else { return false }
            guard let absent else { return keep(nil, step, &values) }
            return absent.withUnsafeBufferPointer { keep($0, step, &values) }
        }
        if let codes = step.codes {
            guard let code = codes.code(for: value) else { return false }
            return codes.bytes.withUnsafeBufferPointer { keep(UnsafeBufferPointer(rebasing: $0[code]), step, &values) }
        }
        if let conversion = step.conversion {
            guard var converted = conversion.catalogueValue(fromLocalUTF8: value) else { return false }
            return converted.withUTF8 { keep($0, step, &values) }
        }
        return keep(value, step, &values)
    }

    /// Appends a mapped value that passes its item's checks; `false` for one that does not.
    @inline(__always)
    private static func keep(_ value: UnsafeBufferPointer<UInt8>?, _ step: Step, _ values: inout RowBytes) -> Bool {
        guard let value else {
            guard step.check.violation(nil) == nil else { return false }
            values.appendAbsent()
            return true
        }
        guard step.check.violation(value, String(decoding: value, as: UTF8.self)) == nil else { return false }
        values.append(bytes: value)
        values.endValue()
        return true
    }

    private static let upsertStart: [UInt8] = Array(#"["u""#.utf8)
}

/// A mapping's code table looked up by the bytes of a local value. Only a hit counts: a value found here has
/// exactly the bytes of a key, so the `String` lookup finds that key too; a miss (perhaps a value written in
/// another Unicode normal form, which `String` equality matches) is left to the `String` path.
struct ByteCodes {
    /// Every code's bytes, back to back.
    private(set) var bytes: [UInt8] = []
    /// Keys of at most 7 bytes, packed as `MappingStep.packedKey` packs them, and where each code lies: a
    /// short list searched in order, which for the few codes of a usual mapping costs less than hashing...
    private var packed: [(key: UInt64, code: Range<Int>)] = []
    /// ...or, for a long table, the same by key.
    private var packedTable: [UInt64: Range<Int>]? = nil
    /// Longer keys by their hash → the key's bytes and where the code lies; `nil` where two keys share a hash.
    private var long: [UInt64: (key: [UInt8], code: Range<Int>)?] = [:]

    init(_ codes: [String: String]) {
        for (key, code) in codes {
            let range = bytes.count..<(bytes.count + code.utf8.count)
            bytes.append(contentsOf: code.utf8)
            let keyBytes = Array(key.utf8)
            keyBytes.withUnsafeBufferPointer { keyBuffer in
                if let number = MappingStep.packedKey(keyBuffer) {
                    packed.append((number, range))
                } else {
                    let hash = Self.hash(keyBuffer)
                    if long[hash] == nil {
                        long[hash] = .some((keyBytes, range))
                    } else {
                        long[hash] = .some(nil)
                    }
                }
            }
        }
        if packed.count > 16 { packedTable = Dictionary(packed.map { ($0.key, $0.code) }, uniquingKeysWith: { first, _ in first }) }
    }

    /// Where the code of `value` lies in `bytes`, or `nil` when the bytes are no key's.
    func code(for value: UnsafeBufferPointer<UInt8>) -> Range<Int>? {
        if let number = MappingStep.packedKey(value) {
            if let packedTable { return packedTable[number] }
            for entry in packed where entry.key == number { return entry.code }
            return nil
        }
        guard let entry = long[Self.hash(value)], let entry, entry.key.elementsEqual(value) else { return nil }
        return entry.code
    }

    /// FNV-1a, 64 bits.
    private static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return hash
    }
}
