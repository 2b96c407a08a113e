/// Maps rows between a local layout and the catalogue schema, in either direction.
///
/// Built once at start-up from the agent's mapping (``outgoing(_:columns:columnsSource:entry:items:configText:configSource:)``
/// or ``incoming(_:items:entry:columns:columnsSource:configText:configSource:)``), which refuses a
/// mapping that could never work; after that, ``map(_:)`` only fails on a value, which the agent
/// quarantines without stopping the run.
public struct RecordMapper: Sendable {
    /// Which way values flow.
    public enum Direction: Sendable, Hashable {
        /// Provider: local columns → catalogue items.
        case outgoing
        /// Consumer: catalogue items → local columns.
        case incoming
    }

    public let direction: Direction
    /// Names of the input values, in order: local columns (outgoing) or catalogue items (incoming).
    public let inputs: [String]
    /// Names of the output values, in order: catalogue items (outgoing) or local columns (incoming).
    public let outputs: [String]
    let steps: [MappingStep]
    /// For each step, the input it copies as it is (no code table, no conversion), or -1: what
    /// `mapIncoming` reads for every record without touching the step itself.
    let plainSources: [Int]

    init(direction: Direction, inputs: [String], outputs: [String], steps: [MappingStep]) {
        self.direction = direction
        self.inputs = inputs
        self.outputs = outputs
        self.steps = steps
        plainSources = steps.map { $0.codes == nil && $0.conversion == nil ? $0.source ?? -1 : -1 }
    }

    /// Maps one row. A value that cannot be converted is a ``RecordViolation`` (item, rule such as
    /// "not a date in YYYYMMDD", value) — the agent quarantines the record.
    public func map(_ values: [String?]) throws(RecordViolation) -> [String?] {
        guard values.count == inputs.count else {
            let what = direction == .outgoing ? "columns" : "items"
            throw RecordViolation(item: "record", rule: "\(values.count) \(what), expected \(inputs.count)", value: nil)
        }
        var output: [String?] = []
        output.reserveCapacity(steps.count)
        switch direction {
        case .outgoing:
            for step in steps { output.append(try step.outgoing(values)) }
        case .incoming:
            for step in steps { output.append(try step.incoming(values)) }
        }
        return output
    }
}

/// How one output value is made, resolved at start-up so mapping a row does no lookups by name. A class, so
/// walking the steps of every row retains one reference instead of copying each field.
final class MappingStep: Sendable {
    /// The catalogue item, named in violations whichever way the values flow.
    let item: String
    /// Index of the input value; `nil` when only the default feeds this output.
    let source: Int?
    let trim: Bool
    let halfwidth: Bool
    /// Local → code (outgoing) or code → local (incoming).
    let codes: [String: String]?
    /// The entries of `codes` whose key has at most 7 UTF-8 bytes, keyed by those bytes packed into one
    /// number (see `packedKey`): hashing a non-ASCII String checks its normalisation and cost more than
    /// the rest of mapping a value. A miss falls back to `codes`, where canonical equivalence decides.
    let packedCodes: [UInt64: String]?
    let conversion: ValueConversion?
    let defaultValue: String?
    let required: Bool

    init(item: String, source: Int?, trim: Bool, halfwidth: Bool, codes: [String: String]?, conversion: ValueConversion?,
         defaultValue: String?, required: Bool) {
        self.item = item
        self.source = source
        self.trim = trim
        self.halfwidth = halfwidth
        self.codes = codes
        self.packedCodes = codes.map { codes in
            var packed: [UInt64: String] = [:]
            for (key, value) in codes {
                var key = key
                if let number = key.withUTF8(Self.packedKey) { packed[number] = value }
            }
            return packed
        }
        self.conversion = conversion
        self.defaultValue = defaultValue
        self.required = required
    }

    /// An output with no mapping: always absent.
    static func absent(_ item: String) -> MappingStep {
        MappingStep(item: item, source: nil, trim: false, halfwidth: false, codes: nil, conversion: nil, defaultValue: nil, required: false)
    }

    /// Provider side: clean up, fall back to the default, then code or convert.
    func outgoing(_ values: [String?]) throws(RecordViolation) -> String? {
        var local: String? = nil
        if let source, let value = values[source] {
            let text = halfwidth || trim ? LocalText.cleaned(value, halfwidth: halfwidth, trim: trim) : value
            if !text.isEmpty { local = text }
        }
        guard let local = local ?? defaultValue else {
            if required { throw RecordViolation(item: item, rule: "required", value: nil) }
            return nil
        }
        if let codes {
            guard let code = code(for: local, in: codes) else {
                throw RecordViolation(item: item, rule: "not in the mapping's codes (\(codes.keys.sorted().joined(separator: ", ")))", value: local)
            }
            return code
        }
        if let conversion {
            guard let value = conversion.catalogueValue(fromLocal: local) else {
                throw RecordViolation(item: item, rule: conversion.localRule, value: local)
            }
            return value
        }
        return local
    }

    private func code(for value: String, in codes: [String: String]) -> String? {
        var value = value
        if let packedCodes, let number = value.withUTF8(Self.packedKey), let code = packedCodes[number] { return code }
        return codes[value]
    }

    /// A text of at most 7 UTF-8 bytes as one number: its bytes, then its length in the top byte (so "0" and
    /// "00" differ). Nil for longer texts.
    static func packedKey(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64? {
        guard bytes.count <= 7 else { return nil }
        var packed = UInt64(bytes.count) << 56
        for (position, byte) in bytes.enumerated() { packed |= UInt64(byte) << (8 * position) }
        return packed
    }

    /// Consumer side: the inverse code or conversion; the default when the item is absent.
    func incoming(_ values: [String?]) throws(RecordViolation) -> String? {
        try incoming(value: source.flatMap { values[$0] })
    }

    /// `incoming` of the one value this step reads (its `source`'s; nil when absent or when it reads none).
    func incoming(value: String?) throws(RecordViolation) -> String? {
        guard let value else {
            if let defaultValue { return defaultValue }
            if required { throw RecordViolation(item: item, rule: "required", value: nil) }
            return nil
        }
        if let codes {
            guard let local = code(for: value, in: codes) else {
                throw RecordViolation(item: item, rule: "code has no local value in the mapping's codes", value: value)
            }
            return local
        }
        if let conversion {
            guard let local = conversion.localValue(fromCatalogue: value) else {
                throw RecordViolation(item: item, rule: conversion.catalogueRule, value: value)
            }
            return local
        }
        return value
    }
}
