import GXDomain
import GXSamples
import GXTestSupport

/// Checks sample rows the way the agent will: through the sample's own mapping (codes, conversions)
/// against the shipped catalogue entry (required items, code tables, identifier standards, lengths).
/// Written independently of the generator, so a row that "looks" valid to it must really be valid.
struct SampleRowChecker {
    /// The `[[provide.map]]` tables, decoded as the agent's configuration will decode them.
    struct Mapping: Decodable {
        struct Provide: Decodable { let map: [Field] }
        struct Field: Decodable {
            let item: String
            let column: String
            let convert: String?
            let codes: [String: String]?
        }
        let provide: Provide
    }

    let entry: CatalogueEntry
    let mapping: [Mapping.Field]
    let columns: [String]

    init(_ resource: SampleResource) throws {
        entry = try SampleDocuments.catalogue()[resource.rawValue]!
        mapping = try TOMLDocument.decode(Mapping.self, from: resource.mappingTOML, source: "\(resource.rawValue) mapping").provide.map
        columns = resource.columns
    }

    /// The rules `row` breaks, as `item: rule`; empty for a valid row.
    func violations(_ row: [String?]) -> [String] {
        var violations: [String] = []
        for field in mapping {
            let item = entry.item(named: field.item)!
            let local = row[columns.firstIndex(of: field.column)!]
            if let rule = violation(local, item, field) { violations.append("\(item.name): \(rule)") }
        }
        return violations
    }

    private func violation(_ local: String?, _ item: InformationItem, _ field: Mapping.Field) -> String? {
        guard var value = local, !value.isEmpty else { return item.required ? "required" : nil }
        if let codes = field.codes {
            guard let code = codes[value] else { return "code: '\(value)' not in the mapping" }
            value = code
        }
        switch field.convert {
        case "date:YYYYMMDD":
            guard value.count == 8, value.allSatisfy(\.isASCII), CalendarDate("\(value.prefix(4))-\(value.dropFirst(4).prefix(2))-\(value.suffix(2))") != nil
            else { return "date: '\(value)'" }
            return nil
        case "date:excel":
            let parts = value.split(separator: "/").compactMap { Int($0) }
            guard parts.count == 3, CalendarDate(pad(parts[0], 4) + "-" + pad(parts[1], 2) + "-" + pad(parts[2], 2)) != nil
            else { return "date: '\(value)'" }
            return nil
        case "date:YYYY-MM-DD":
            return CalendarDate(value) == nil ? "date: '\(value)'" : nil
        case let convert? where convert.hasPrefix("decimal:"):
            let parts = value.split(separator: ".", omittingEmptySubsequences: false)
            guard (1...2).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } })
            else { return "decimal: '\(value)'" }
            return nil
        case let convert?:
            return "unknown conversion \(convert)"
        case nil:
            if let length = item.length, value.count > length { return "longer than \(length)" }
        }
        switch item.type {
        case .code:
            if item.codeTable?.codes[value] == nil { return "code: '\(value)' not in \(item.codeTable?.name ?? "the table")" }
        case .date:
            if CalendarDate(value) == nil { return "date: '\(value)'" }
        case .decimal:
            let canonical = value.split(separator: ".", omittingEmptySubsequences: false)
            let valid = value.allSatisfy { $0.isASCII && ($0.isNumber || $0 == ".") } && (1...2).contains(canonical.count)
                && !(canonical[0].count > 1 && canonical[0].hasPrefix("0")) && (canonical.count == 1 || !(canonical[1].isEmpty || canonical[1].hasSuffix("0")))
            if !valid { return "decimal: '\(value)' is not canonical" }
        default:
            break
        }
        if let kind = item.identifier, let violation = IdentifierValidator.violation(of: value, as: kind) {
            return violation.description
        }
        return nil
    }

    private func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
