import GXDomain
/// Where a consumer agency's received rows go: a table in its database or a file it reads.
public protocol RecordSink {
    /// Column names the sink holds, in the order `SinkTransaction.upsert` takes values.
    func columns() throws(LocalDataError) -> [String]

    /// The last batch applied for each stream (one stream per agreement), as stored beside the data.
    func checkpoint(stream: String) async throws(LocalDataError) -> Int64?

    /// Runs `body` in one transaction and commits the data changes together with the new checkpoint,
    /// or nothing at all: a crash at any point neither loses nor doubles a record.
    func apply(stream: String, checkpoint: Int64, _ body: (any SinkTransaction) throws -> Void) async throws

    /// Makes the sink's `gx_disputed` table hold exactly `disputes` for `stream`: written inside the
    /// transaction of the next `apply` of that stream, or by `writePendingDisputes` if no batch is applied.
    func expectDisputes(_ disputes: [DisputedKey], stream: String)

    /// Writes, in a transaction of its own, the disputes `expectDisputes` set that no `apply` wrote yet.
    func writePendingDisputes(stream: String) async throws

    /// Releases the connection to a database server, if the sink holds one.
    func close() async
}

extension RecordSink {
    public func close() async {}
}

/// A record flagged by an objection (数据异议) that is not resolved yet, as a consumer keeps it beside its
/// data in `gx_disputed` (stream, key, objection, since): `key` is the record's key as `Objection.keyText`
/// writes it (the value itself for a one-item key), `since` when the objection was raised.
public struct DisputedKey: Sendable, Hashable {
    public var key: String
    public var objection: String
    public var since: String

    public init(key: String, objection: String, since: String) {
        self.key = key
        self.objection = objection
        self.since = since
    }

    /// The side table's name, beside the checkpoints.
    public static let table = "gx_disputed"
}

/// The changes of one batch, applied inside `RecordSink.apply`.
public protocol SinkTransaction {
    /// Inserts the row, or replaces the row with the same key. `values` follow `RecordSink.columns()`.
    func upsert(_ values: [String?]) throws
    /// Removes the row with this key (key columns in the configured key order); absent keys are fine.
    func delete(key: [String]) throws
}

/// A transaction that takes an upsert straight from the delivery's checked line, mapped column by column
/// (`RecordMapper.mapIncoming`), so a value travels as bytes from the delivery to the database.
public protocol LineSinkTransaction: SinkTransaction {
    /// `upsert(mapper.map(values of line))`, with the same refusals.
    func upsert(line: CanonicalRecordLine, mapper: RecordMapper) throws
}

/// A transaction that takes a checked line's values as they travelled — value `n` into column `positions[n]`,
/// the other columns NULL — binding each token's bytes, not a `String` made from them (a verification's
/// answers: a million rows of a key and a few words).
public protocol PlacingSinkTransaction: SinkTransaction {
    /// `upsert` of a row holding `line`'s values at `positions`, with the same refusals.
    func upsert(line: CanonicalRecordLine, placing positions: [Int]) throws
}

/// A sink that stages a batch's changes in memory before its transaction opens, so the consumer decodes
/// the next delivery while the database applies this one.
public protocol StagingRecordSink: RecordSink {
    associatedtype Staging: SinkTransaction & Sendable
    /// An empty stage for one batch. Filling it touches only memory, so any task may do it.
    func newStaging() -> Staging
    /// Applies a filled stage and moves the checkpoint in one transaction, with the guarantees of
    /// `apply(stream:checkpoint:_:)`.
    func apply(_ staged: Staging, stream: String, checkpoint: Int64) async throws
}
