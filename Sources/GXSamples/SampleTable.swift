import GXDomain

/// One resource's sample: how its agency's export looks and how each row is made.
///
/// Rows are pure functions of the seed and the row index, so the register can stream any number of
/// rows, night 2 can rebuild night 1's row before changing it, and tests can compare nights row by row.
protocol SampleTable: Sendable {
    /// Local column names in export order; the first is the key.
    static var columns: [String] { get }
    /// Rows the key space can hold, with room for night 2's inserts.
    static var maximumRows: Int { get }
    /// The `[[provide.map]]` tables mapping these columns to the catalogue items.
    static var mappingTOML: String { get }
    /// Separates the resources' random streams, so one seed does not give related rows.
    static var stream: UInt64 { get }

    var seed: UInt64 { get }

    init(seed: UInt64)
    /// Night 1's values of row `index` (and of night 2's inserted rows, which continue the indices).
    func row(_ index: Int) -> [String?]
    /// Night 2's change of row `index`: non-key columns only, and at least one value differs.
    func update(_ row: inout [String?], _ index: Int)
    /// Makes the row break the catalogue rule `flaw`, and only that one.
    func spoil(_ row: inout [String?], _ flaw: SampleFlaw, _ index: Int)
}

extension SampleTable {
    /// Random draws for one purpose (row, update, flaw…) of one index.
    func draws(_ purpose: UInt64, _ index: Int) -> SampleRandom {
        SampleRandom(seed: seed, stream: Self.stream &+ purpose, index: index)
    }
}

/// The purposes random draws are made for, kept apart so that, say, spoiling a row does not change
/// what an update of it would draw.
enum SamplePurpose {
    static let row: UInt64 = 1
    static let update: UInt64 = 2
    static let flaw: UInt64 = 3
    static let parcel: UInt64 = 4
    static let keys: UInt64 = 5
}
