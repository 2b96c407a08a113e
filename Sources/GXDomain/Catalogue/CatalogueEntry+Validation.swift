import Foundation

extension CatalogueEntry {
    /// Checks the entry is publishable: well-formed codes, a basis where the sharing type needs one,
    /// unique item names, at least one key item, code tables on code items, and a data level on every item.
    public func validated() throws(InvalidInput) -> CatalogueEntry {
        let record = "catalogue entry \(resourceCode)"
        if let violation = PathSafeCode.resourceCodeViolation(resourceCode) {
            throw InvalidInput(field: "resource_code", reason: violation, record: record)
        }
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw InvalidInput(field: "name", reason: "must not be empty", record: record)
        }
        if let violation = IdentifierValidator.violation(of: provider, as: .uscc) {
            throw InvalidInput(field: "provider", reason: "not a valid 统一社会信用代码 (\(violation.rule))", record: record)
        }
        guard Self.isWellFormedCode(schemaVersion) else {
            throw InvalidInput(field: "schema_version", reason: PathSafeCode.rule, record: record)
        }
        if sharingType != .unconditional, (sharingBasis ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
            throw InvalidInput(field: "sharing_basis", reason: "a \(sharingType.rawValue) resource must state its basis", record: record)
        }
        guard !items.isEmpty else { throw InvalidInput(field: "items", reason: "at least one item", record: record) }
        var seen = Set<String>()
        for (index, item) in items.enumerated() {
            let field = "items[\(index)]"
            guard !item.name.isEmpty, item.name.count <= 64 else {
                throw InvalidInput(field: "\(field).name", reason: "must be 1 to 64 characters", record: record)
            }
            guard seen.insert(item.name).inserted else {
                throw InvalidInput(field: "\(field).name", reason: "duplicate item '\(item.name)'", record: record)
            }
            if let length = item.length, length <= 0 {
                throw InvalidInput(field: "\(field).length", reason: "must be positive", record: record)
            }
            guard item.level != nil else {
                throw InvalidInput(field: "\(field).level", reason: "'\(item.name)' needs a data level: \(DataLevel.rule)", record: record)
            }
            if item.type == .code, (item.codeTable?.codes.isEmpty ?? true) {
                throw InvalidInput(field: "\(field).code_table", reason: "a code item needs a code table", record: record)
            }
        }
        guard items.contains(where: \.key) else {
            throw InvalidInput(field: "items", reason: "at least one key item identifies a record", record: record)
        }
        return self
    }

    static func isWellFormedCode(_ code: String) -> Bool { PathSafeCode.isValid(code) }
}

extension CatalogueEntry {
    /// The shape allowed for codes and names that appear in URLs and audit subjects.
    public static func isWellFormedName(_ name: String) -> Bool { isWellFormedCode(name) }
}
