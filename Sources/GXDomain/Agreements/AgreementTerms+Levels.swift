import Foundation

extension AgreementTerms {
    /// The agreed items above 一般 (GB/T 43697-2024), in the catalogue's order, with their levels.
    public func itemsAboveGeneral(in entry: CatalogueEntry) -> [(item: String, level: DataLevel)] {
        let agreed = Set(items)
        return entry.items.compactMap { item in
            guard agreed.contains(item.name), let level = item.level, level.isAboveGeneral else { return nil }
            return (item.name, level)
        }
    }

    /// The grades a filing must acknowledge (重要, 核心), lowest first: those of the agreed items above 一般.
    public func levelsToAcknowledge(in entry: CatalogueEntry) -> [String] {
        let needed = Set(itemsAboveGeneral(in: entry).map { $0.level.grade })
        return DataLevel.Grade.allCases.filter(needed.contains).map(\.rawValue)
    }

    /// Checks the authority's acknowledgement when filing: it must name exactly the grades above 一般 among
    /// the agreed items (重要, 核心), so a filing never passes such data without the authority saying so, and
    /// never claims a grade the agreement does not share. Every agreed item must have a level. Returns the
    /// grades acknowledged, lowest first, as the filing records them.
    public func acknowledgedLevels(_ acknowledged: [String], entry: CatalogueEntry) throws(InvalidInput) -> [String] {
        let record = "agreement \(id)"
        for name in items where entry.item(named: name)?.level == nil {
            throw InvalidInput(field: "items", reason: "'\(name)' has no data level in \(resourceCode) v\(schemaVersion): publish the catalogue entry again with levels before filing", record: record)
        }
        var grades = Set<DataLevel.Grade>()
        for text in acknowledged {
            guard let grade = DataLevel.Grade(rawValue: text.trimmingCharacters(in: .whitespaces)), grade != .general else {
                throw InvalidInput(field: "acknowledged_levels", reason: "'\(text)' is not a level to acknowledge: name 重要 or 核心", record: record)
            }
            grades.insert(grade)
        }
        let shared = itemsAboveGeneral(in: entry)
        let needed = Set(shared.map { $0.level.grade })
        if let missing = DataLevel.Grade.allCases.first(where: { needed.contains($0) && !grades.contains($0) }) {
            let named = shared.filter { $0.level.grade == missing }.map { "\($0.item) (\($0.level))" }.joined(separator: ", ")
            throw InvalidInput(field: "acknowledged_levels", reason: "the agreement shares \(missing.rawValue) data — \(named): the filing must acknowledge \(missing.rawValue) explicitly", record: record)
        }
        if let extra = DataLevel.Grade.allCases.first(where: { grades.contains($0) && !needed.contains($0) }) {
            throw InvalidInput(field: "acknowledged_levels", reason: "acknowledges \(extra.rawValue), but no agreed item is \(extra.rawValue)", record: record)
        }
        return DataLevel.Grade.allCases.filter(grades.contains).map(\.rawValue)
    }
}
