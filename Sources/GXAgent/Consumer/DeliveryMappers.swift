import GXDomain

/// The mapping of a delivery's items to the sink's columns, for each set of items the agreement was filed
/// with: a delivery projected before an amendment was filed carries that revision's items, one after it the
/// new ones, and both apply to the same table.
struct DeliveryMappers: Sendable {
    /// The items of the terms in force, in the catalogue's order.
    let current: [String]
    private let byItems: [[String]: RecordMapper]

    /// `history` holds each filed revision's items (catalogue order), the terms in force last. The mapping for
    /// the terms in force must hold (`build` throws otherwise); one an earlier revision cannot satisfy is left
    /// out, so its deliveries fail verification naming their items.
    init(history: [[String]], build: ([String]) throws -> RecordMapper) throws {
        current = history.last ?? []
        var byItems = [current: try build(current)]
        for items in history.dropLast() where byItems[items] == nil {
            if let mapper = try? build(items) { byItems[items] = mapper }
        }
        self.byItems = byItems
    }

    /// The item lists a delivery of this agreement may carry.
    var itemLists: Set<[String]> { Set(byItems.keys) }

    func mapper(for items: [String]) -> RecordMapper? { byItems[items] }
}
