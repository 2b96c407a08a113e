/// The value type of an information item (信息项) in the canonical schema.
public enum ItemType: String, Codable, Sendable, CaseIterable {
    case string
    case integer
    /// Fixed-point decimal, carried as text (`"1234.50"`) so no precision is lost in transit.
    case decimal
    /// `YYYY-MM-DD`
    case date
    /// `YYYY-MM-DDTHH:MM:SS`, Beijing time (no offset: one canonical form).
    case datetime
    /// A value from the item's code table.
    case code
}
