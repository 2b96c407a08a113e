import Foundation

extension AgreementTerms {
    /// Checks the terms against the catalogue entry they name and the two parties.
    ///
    /// Refuses what the Beijing model forbids: agreeing a 不予共享 resource, a 有条件共享 one without a basis,
    /// items outside the entry, and agreements that leave out a key item.
    public func validated(entry: CatalogueEntry, provider providerAgency: Agency, consumer consumerAgency: Agency) throws(InvalidInput) -> AgreementTerms {
        let record = "agreement \(id)"
        guard CatalogueEntry.isWellFormedCode(id) else {
            throw InvalidInput(field: "id", reason: PathSafeCode.rule, record: record)
        }
        guard provider == providerAgency.code, providerAgency.roles.contains(.provider) else {
            throw InvalidInput(field: "provider", reason: "\(provider) is not registered as a provider", record: record)
        }
        guard consumer == consumerAgency.code, consumerAgency.roles.contains(.consumer) else {
            throw InvalidInput(field: "consumer", reason: "\(consumer) is not registered as a consumer", record: record)
        }
        guard provider != consumer else {
            throw InvalidInput(field: "consumer", reason: "an agency cannot share with itself", record: record)
        }
        guard entry.resourceCode == resourceCode else {
            throw InvalidInput(field: "resource", reason: "names \(resourceCode), catalogue entry is \(entry.resourceCode)", record: record)
        }
        guard entry.provider == provider else {
            throw InvalidInput(field: "provider", reason: "\(resourceCode) is provided by \(entry.provider), not \(provider)", record: record)
        }
        guard entry.schemaVersion == schemaVersion else {
            throw InvalidInput(field: "schema_version", reason: "catalogue has \(resourceCode) at version \(entry.schemaVersion), not \(schemaVersion)", record: record)
        }
        switch entry.sharingType {
        case .notShared:
            throw InvalidInput(field: "resource", reason: "\(resourceCode) is 不予共享 and cannot be agreed", record: record)
        case .conditional where (basis ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty:
            throw InvalidInput(field: "basis", reason: "\(resourceCode) is 有条件共享: state the legal or policy basis", record: record)
        default:
            break
        }
        guard !items.isEmpty else { throw InvalidInput(field: "items", reason: "agree at least one item", record: record) }
        var seen = Set<String>()
        for item in items {
            guard entry.item(named: item) != nil else {
                throw InvalidInput(field: "items", reason: "'\(item)' is not an item of \(resourceCode)", record: record)
            }
            guard seen.insert(item).inserted else {
                throw InvalidInput(field: "items", reason: "'\(item)' is listed twice", record: record)
            }
        }
        for key in entry.keyItems where !seen.contains(key.name) {
            throw InvalidInput(field: "items", reason: "key item '\(key.name)' must be included", record: record)
        }
        guard !purpose.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw InvalidInput(field: "purpose", reason: "state the purpose of use", record: record)
        }
        guard validFrom <= validUntil else {
            throw InvalidInput(field: "valid_until", reason: "\(validUntil) is before valid_from \(validFrom)", record: record)
        }
        for (field, text) in [("duties.provision", duties.provision), ("duties.use", duties.use),
                              ("duties.disposal", duties.disposal), ("duties.security", duties.security)]
        where text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw InvalidInput(field: field, reason: "must not be empty", record: record)
        }
        if let supersedes, supersedes == id {
            throw InvalidInput(field: "supersedes", reason: "an agreement cannot supersede itself", record: record)
        }
        return try checkedMasks(against: entry)
    }
}
