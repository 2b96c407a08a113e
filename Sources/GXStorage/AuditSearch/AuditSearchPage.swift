import GXDomain

/// A page of an auditor's search: the entries found and, when the search stopped before the end of the log with
/// fewer entries than asked (see `AuditSearch.scanLimit`), how far it searched — the next page starts after it.
public struct AuditSearchPage: Sendable {
    public var entries: [AuditEntry]
    public var searchedThrough: Int64?

    /// How many of its leading index's entries a page for people (the API's list, the console) reads at most: on
    /// SQLite well under a second, on PostgreSQL about a second, on this machine.
    public static let scanLimit = 100_000

    public init(entries: [AuditEntry], searchedThrough: Int64? = nil) {
        self.entries = entries
        self.searchedThrough = searchedThrough
    }

    /// Where the next page starts: after the last entry of a full page, or after what a stopped search reached.
    public func nextAfter(limit: Int) -> Int64? {
        entries.count == limit ? entries.last?.seq : searchedThrough
    }
}
