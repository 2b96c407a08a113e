extension AgreementTerms {
    /// Checks each mask against the item it masks: an agreed item, not a key, of a type the mask applies to.
    ///
    /// A key item cannot be masked: the consumer applies and deletes records by their key, so masked keys
    /// (`110105********0123` for many people) would merge different records and delete the wrong ones.
    public func checkedMasks(against entry: CatalogueEntry) throws(InvalidInput) -> AgreementTerms {
        let record = "agreement \(id)"
        for (name, mask) in (masks ?? [:]).sorted(by: { $0.key < $1.key }) {
            let field = "masks.\(name)"
            guard items.contains(name), let item = entry.item(named: name) else {
                throw InvalidInput(field: field, reason: "'\(name)' is not an agreed item: a mask applies to an item the agreement shares", record: record)
            }
            guard !item.key else {
                throw InvalidInput(field: field, reason: "'\(name)' is a key item of \(resourceCode) and cannot be masked: the consumer applies and deletes records by their key, so masked keys would merge different records", record: record)
            }
            guard mask.appliesTo.contains(item.type) else {
                throw InvalidInput(field: field, reason: "'\(mask)' cannot mask '\(name)', a \(item.type.rawValue) item: keep:H,T masks string items, year masks date and datetime items", record: record)
            }
        }
        return self
    }

    /// The masks as the delivery manifest declares them (item → mask), or nil when nothing is masked.
    public var maskDeclarations: [String: String]? {
        guard let masks, !masks.isEmpty else { return nil }
        return masks.mapValues(\.description)
    }
}
