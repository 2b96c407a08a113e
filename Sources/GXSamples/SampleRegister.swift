import GXDomain

/// A deterministic, realistic sample of an agency's nightly export of one base resource, for the
/// quickstart and end-to-end tests.
///
/// The export looks like what agencies really send rather than like the catalogue: local column
/// names, dates as `19800101` or `2024/1/5`, 性别 as 男/女, capital in 万元, the odd full-width digit
/// or stray space. ``mappingTOML`` is the mapping that turns it into the catalogue's form. Keys are
/// valid per their standards and unique; the same seed gives the same rows on every machine.
///
/// Night 2 is night 1 a day later: about 1 % of rows updated (non-key columns), deleted, or inserted
/// at the end, so change detection has something to find. With `invalidEvery` n > 0, every n-th row
/// (by row index, so a bad row stays bad on night 2) breaks one catalogue rule, rotating through a
/// wrong check character, an impossible date, an unknown code and a missing required value.
public struct SampleRegister: Sendable {
    public let resource: SampleResource
    public let rows: Int
    public let seed: UInt64
    public let night: Int
    public let invalidEvery: Int

    /// - Precondition: `0 <= rows <= resource.maximumRows`, `night` is 1 or 2, `invalidEvery >= 0`.
    public init(resource: SampleResource, rows: Int, seed: UInt64, night: Int = 1, invalidEvery: Int = 0) {
        precondition(rows >= 0 && rows <= resource.maximumRows, "rows must be 0…\(resource.maximumRows)")
        precondition(night == 1 || night == 2, "night must be 1 or 2")
        precondition(invalidEvery >= 0, "invalidEvery must not be negative")
        self.resource = resource
        self.rows = rows
        self.seed = seed
        self.night = night
        self.invalidEvery = invalidEvery
    }

    /// Local column names of this agency's export (not the catalogue item names), header order.
    public var columns: [String] { resource.columns }

    /// The `[[provide.map]]` tables that map ``columns`` to the catalogue's items.
    public var mappingTOML: String { resource.mappingTOML }

    /// Streams rows (values as text, `nil` = empty) in a stable order; never builds all rows in memory.
    public func forEachRow(_ body: ([String?]) throws -> Void) rethrows {
        try emit(resource.table.init(seed: seed), body)
    }

    private func emit(_ table: some SampleTable, _ body: ([String?]) throws -> Void) rethrows {
        let plan = night == 2 ? SampleNightPlan(rows: rows, seed: seed) : nil
        for index in 0..<rows {
            var row = table.row(index)
            switch plan?.fate(of: index) ?? .kept {
            case .deleted: continue
            case .updated: table.update(&row, index)
            case .kept: break
            }
            spoil(&row, index, table)
            try body(row)
        }
        for index in rows..<(rows + (plan?.inserts ?? 0)) {
            var row = table.row(index)
            spoil(&row, index, table)
            try body(row)
        }
    }

    private func spoil(_ row: inout [String?], _ index: Int, _ table: some SampleTable) {
        guard invalidEvery > 0, (index + 1) % invalidEvery == 0 else { return }
        table.spoil(&row, SampleFlaw(ordinal: (index + 1) / invalidEvery - 1), index)
    }
}
