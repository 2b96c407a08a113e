extension RecordMapper {
    /// Provider side: local rows (in `columns` order) → catalogue values in `items` order.
    ///
    /// Refuses at start-up an unknown column or item, a required catalogue item with no mapping and no
    /// default, and mappings that could never produce a valid value (a date conversion on a decimal
    /// item, codes outside the code table, a default that does not convert), with
    /// `InvalidInput(field: "map", reason: …, record: "<configSource>:<line>")` naming the line of
    /// `configText` that holds the bad column or item. Items with no mapping get `nil`; mappings of
    /// catalogue items outside `items` (not in this batch) are checked and otherwise ignored.
    public static func outgoing(_ mappings: [FieldMapping], columns: [String], columnsSource: String, entry: CatalogueEntry,
                                items: [String], configText: String, configSource: String) throws(InvalidInput) -> RecordMapper {
        var checker = MappingChecker(entry: entry, columns: columns, columnsSource: columnsSource,
                                     locator: ConfigLocator(text: configText, source: configSource))
        try checker.checkItems(items)
        var byItem: [String: MappingStep] = [:]
        for mapping in mappings {
            let checked = try checker.check(mapping, direction: .outgoing)
            guard byItem[mapping.item] == nil else {
                throw checker.failure("'\(mapping.item)' is mapped more than once", at: checked.itemLine)
            }
            byItem[mapping.item] = MappingStep(
                item: mapping.item, source: checked.column, trim: mapping.trim, halfwidth: mapping.halfwidth,
                codes: mapping.codes, conversion: mapping.convert, defaultValue: mapping.default, required: mapping.required ?? false
            )
        }
        for name in items where entry.item(named: name)?.required == true && byItem[name] == nil {
            throw InvalidInput(field: "map", reason: "'\(name)' is required in \(entry.resourceCode) but has no mapping and no default",
                               record: configSource)
        }
        return RecordMapper(direction: .outgoing, inputs: columns, outputs: items,
                            steps: items.map { byItem[$0] ?? .absent($0) })
    }

    /// Consumer side: catalogue values in `items` order (the agreed items) → local values in `columns` order.
    ///
    /// Conversions apply in reverse (dates back to the local format, 元 → 万元, codes inverse; `trim` and
    /// `halfwidth` do not apply, catalogue values are already clean). Local columns with no mapping get
    /// `nil`; a mapped item outside `items` gives its default or `nil`. Same start-up checks and errors as
    /// ``outgoing(_:columns:columnsSource:entry:items:configText:configSource:)``; in addition each code
    /// must come from one local value, and every required agreed item must reach a column.
    public static func incoming(_ mappings: [FieldMapping], items: [String], entry: CatalogueEntry, columns: [String],
                                columnsSource: String, configText: String, configSource: String) throws(InvalidInput) -> RecordMapper {
        var checker = MappingChecker(entry: entry, columns: columns, columnsSource: columnsSource,
                                     locator: ConfigLocator(text: configText, source: configSource))
        try checker.checkItems(items)
        var byColumn: [Int: MappingStep] = [:]
        var received = Set<String>()
        for mapping in mappings {
            let checked = try checker.check(mapping, direction: .incoming)
            let source = items.firstIndex(of: mapping.item)
            if source == nil, mapping.required == true, mapping.default == nil {
                throw checker.failure("'\(mapping.item)' is required by the mapping but is not among the agreed items (\(items.joined(separator: ", ")))",
                                      at: checked.itemLine)
            }
            guard let column = checked.column else { continue }
            guard byColumn[column] == nil else {
                throw checker.failure("column '\(columns[column])' is filled by more than one mapping", at: checked.columnLine)
            }
            if source != nil { received.insert(mapping.item) }
            byColumn[column] = MappingStep(
                item: mapping.item, source: source, trim: false, halfwidth: false,
                codes: try mapping.codes.map { codes throws(InvalidInput) in try checker.inverse(codes, of: mapping.item, at: checked.itemLine) },
                conversion: mapping.convert, defaultValue: mapping.default, required: mapping.required ?? false
            )
        }
        for name in items where entry.item(named: name)?.required == true && !received.contains(name) {
            throw InvalidInput(field: "map", reason: "'\(name)' is required in \(entry.resourceCode) and agreed, but no column receives it",
                               record: configSource)
        }
        return RecordMapper(direction: .incoming, inputs: items, outputs: columns,
                            steps: columns.indices.map { byColumn[$0] ?? .absent(columns[$0]) })
    }
}

/// The start-up checks both directions share.
struct MappingChecker {
    let entry: CatalogueEntry
    let columns: [String]
    let columnsSource: String
    let locator: ConfigLocator
    /// How often each item / column has been named so far, to find the right line of a repeat.
    var itemOccurrences: [String: Int] = [:]
    var columnOccurrences: [String: Int] = [:]

    struct Checked {
        let item: InformationItem
        let column: Int?
        let itemLine: String
        let columnLine: String
    }

    func failure(_ reason: String, at record: String) -> InvalidInput {
        InvalidInput(field: "map", reason: reason, record: record)
    }

    /// The batch's (or agreement's) items must all be catalogue items.
    func checkItems(_ items: [String]) throws(InvalidInput) {
        for name in items where entry.item(named: name) == nil {
            throw InvalidInput(field: "items", reason: "'\(name)' is not an item of \(entry.resourceCode)")
        }
    }

    mutating func check(_ mapping: FieldMapping, direction: RecordMapper.Direction) throws(InvalidInput) -> Checked {
        let itemOccurrence = itemOccurrences[mapping.item, default: 0] + 1
        itemOccurrences[mapping.item] = itemOccurrence
        let itemLine = locator.record(key: "item", value: mapping.item, occurrence: itemOccurrence)
        var columnLine = itemLine
        guard let item = entry.item(named: mapping.item) else {
            throw failure("'\(mapping.item)' is not an item of \(entry.resourceCode)", at: itemLine)
        }
        var columnIndex: Int? = nil
        if let column = mapping.column {
            let occurrence = columnOccurrences[column, default: 0] + 1
            columnOccurrences[column] = occurrence
            columnLine = locator.record(key: "column", value: column, occurrence: occurrence)
            guard let index = columns.firstIndex(of: column) else {
                throw failure("no column '\(column)' in \(columnsSource) (columns: \(columns.joined(separator: ", ")))", at: columnLine)
            }
            columnIndex = index
        } else if mapping.default == nil {
            throw failure("the mapping of '\(mapping.item)' names neither a column nor a default", at: itemLine)
        }
        if mapping.codes != nil, let convert = mapping.convert {
            throw failure("the mapping of '\(mapping.item)' has both codes and convert = \"\(convert)\"; use one", at: itemLine)
        }
        if let convert = mapping.convert, !convert.itemTypes.contains(item.type) {
            throw failure("convert = \"\(convert)\" does not make values for '\(mapping.item)', a \(item.type.rawValue) item", at: itemLine)
        }
        if let codes = mapping.codes, let table = item.codeTable {
            for (local, code) in codes.sorted(by: { $0.key < $1.key }) where table.codes[code] == nil {
                throw failure("codes maps '\(local)' to '\(code)', which is not in \(table.name) of '\(mapping.item)'", at: itemLine)
            }
        }
        // A provider's default goes through codes/convert like a local value: it must get through.
        if direction == .outgoing, let value = mapping.default {
            if let codes = mapping.codes, codes[value] == nil {
                throw failure("default '\(value)' of '\(mapping.item)' is not in its codes", at: itemLine)
            }
            if let convert = mapping.convert, convert.catalogueValue(fromLocal: value) == nil {
                throw failure("default '\(value)' of '\(mapping.item)' is \(convert.localRule)", at: itemLine)
            }
        }
        return Checked(item: item, column: columnIndex, itemLine: itemLine, columnLine: columnLine)
    }

    /// Code → local value, for the consumer; two local values for one code would make it guess.
    func inverse(_ codes: [String: String], of item: String, at line: String) throws(InvalidInput) -> [String: String] {
        var inverse: [String: String] = [:]
        for (local, code) in codes.sorted(by: { $0.key < $1.key }) {
            if let other = inverse[code] {
                throw failure("codes maps both '\(other)' and '\(local)' to '\(code)' for '\(item)'; the consumer side needs one local value per code",
                              at: line)
            }
            inverse[code] = local
        }
        return inverse
    }
}
