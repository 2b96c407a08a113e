import Foundation
import GRDB
import GXDomain

/// Exchange totals per night (`exchange_totals`, `quarantine_totals`), kept in the transaction that accepts
/// a batch, records a delivery or records a receipt, so oversight reports never scan the batches.
extension SQLiteHubStore {
    static let totalsMigration = "v10-exchange-totals"

    static let totalsSchema = """
        CREATE TABLE exchange_totals (
            night TEXT NOT NULL,
            resource_code TEXT NOT NULL,
            agreement_id TEXT NOT NULL,
            provider TEXT NOT NULL,
            consumer TEXT NOT NULL,
            batches INTEGER NOT NULL,
            upserts_provided INTEGER NOT NULL,
            deletes_provided INTEGER NOT NULL,
            quarantined INTEGER NOT NULL,
            passes INTEGER NOT NULL,
            pass_completed_at TEXT,
            deliveries INTEGER NOT NULL,
            upserts_delivered INTEGER NOT NULL,
            deletes_delivered INTEGER NOT NULL,
            receipts_matched INTEGER NOT NULL,
            upserts_applied INTEGER NOT NULL,
            deletes_applied INTEGER NOT NULL,
            applied_at TEXT,
            pass_applied_at TEXT,
            PRIMARY KEY (night, resource_code, agreement_id)
        );
        CREATE TABLE quarantine_totals (
            night TEXT NOT NULL,
            resource_code TEXT NOT NULL,
            provider TEXT NOT NULL,
            item TEXT NOT NULL,
            rule TEXT NOT NULL,
            count INTEGER NOT NULL,
            PRIMARY KEY (night, resource_code, item, rule)
        );
        """

    /// Creates the totals and fills them from the batches, deliveries and receipts already kept.
    static func migrateTotals(_ db: Database) throws {
        try db.execute(sql: totalsSchema)
        try backfillTotals(db)
    }

    /// Adds the batches, deliveries and receipts already kept to the (empty) totals.
    static func backfillTotals(_ db: Database) throws {
        var offset = 0
        while true {
            let rows = try Row.fetchAll(db, sql: "SELECT manifest, accepted_at FROM batches ORDER BY resource_code, sequence LIMIT 1000 OFFSET ?",
                                        arguments: [offset])
            for row in rows { try addBatchTotals(try decodeBase64(BatchManifest.self, row["manifest"]), acceptedAt: row["accepted_at"], in: db) }
            if rows.count < 1000 { break }
            offset += 1000
        }
        offset = 0
        while true {
            let rows = try String.fetchAll(db, sql: "SELECT manifest FROM deliveries ORDER BY agreement_id, sequence LIMIT 1000 OFFSET ?", arguments: [offset])
            for row in rows { try addDeliveryTotals(try decodeBase64(DeliveryManifest.self, row), in: db) }
            if rows.count < 1000 { break }
            offset += 1000
        }
        offset = 0
        while true {
            let rows = try Row.fetchAll(db, sql: "SELECT receipt, received_at FROM receipts ORDER BY agreement_id, sequence LIMIT 1000 OFFSET ?",
                                        arguments: [offset])
            for row in rows { try addReceiptTotals(try decodeBase64(BatchReceipt.self, row["receipt"]), receivedAt: row["received_at"], in: db) }
            if rows.count < 1000 { break }
            offset += 1000
        }
    }

    static func addBatchTotals(_ manifest: BatchManifest, acceptedAt: String, in db: Database) throws {
        guard let night = CalendarDate.night(ofTimestamp: acceptedAt) else { return }
        var delta = ExchangeNightTotal(night: night, resourceCode: manifest.resourceCode, provider: manifest.provider)
        delta.batches = 1
        delta.upsertsProvided = manifest.counts.upserts
        delta.deletesProvided = manifest.counts.deletes
        delta.quarantined = manifest.counts.quarantined
        if manifest.isLastOfPass {
            delta.passes = 1
            delta.passCompletedAt = acceptedAt
        }
        try addTotals(delta, in: db)
        for finding in manifest.quarantine where finding.count > 0 {
            try db.execute(sql: """
                INSERT INTO quarantine_totals (night, resource_code, provider, item, rule, count) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (night, resource_code, item, rule) DO UPDATE SET count = quarantine_totals.count + excluded.count
                """, arguments: [night.description, manifest.resourceCode, manifest.provider, finding.item, finding.rule, finding.count])
        }
    }

    static func addDeliveryTotals(_ manifest: DeliveryManifest, in db: Database) throws {
        guard let acceptedAt = try String.fetchOne(db, sql: "SELECT accepted_at FROM batches WHERE resource_code = ? AND sequence = ?",
                                                   arguments: [manifest.resourceCode, manifest.sequence]),
              let night = CalendarDate.night(ofTimestamp: acceptedAt) else { return }
        var delta = ExchangeNightTotal(night: night, resourceCode: manifest.resourceCode, agreementID: manifest.agreementID,
                                       provider: manifest.provider, consumer: manifest.consumer)
        delta.deliveries = 1
        delta.upsertsDelivered = manifest.counts.upserts
        delta.deletesDelivered = manifest.counts.deletes
        try addTotals(delta, in: db)
    }

    static func addReceiptTotals(_ receipt: BatchReceipt, receivedAt: String, in db: Database) throws {
        guard let row = try Row.fetchOne(db, sql: "SELECT manifest, accepted_at FROM batches WHERE resource_code = ? AND sequence = ?",
                                         arguments: [receipt.resourceCode, receipt.sequence]),
              let night = CalendarDate.night(ofTimestamp: row["accepted_at"]) else { return }
        let batch = try decodeBase64(BatchManifest.self, row["manifest"])
        var delta = ExchangeNightTotal(night: night, resourceCode: receipt.resourceCode, agreementID: receipt.agreementID,
                                       provider: batch.provider, consumer: receipt.consumer)
        delta.receiptsMatched = 1
        delta.upsertsApplied = receipt.upsertsApplied
        delta.deletesApplied = receipt.deletesApplied
        delta.appliedAt = receivedAt
        if batch.isLastOfPass { delta.passAppliedAt = receivedAt }
        try addTotals(delta, in: db)
    }

    /// Adds a night's counts to its row; of the times, keeps the first pass, the last receipt and the first
    /// receipt of a pass.
    static func addTotals(_ d: ExchangeNightTotal, in db: Database) throws {
        try db.execute(sql: """
            INSERT INTO exchange_totals (night, resource_code, agreement_id, provider, consumer, batches, upserts_provided, deletes_provided,
                quarantined, passes, pass_completed_at, deliveries, upserts_delivered, deletes_delivered, receipts_matched, upserts_applied,
                deletes_applied, applied_at, pass_applied_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (night, resource_code, agreement_id) DO UPDATE SET
                batches = exchange_totals.batches + excluded.batches,
                upserts_provided = exchange_totals.upserts_provided + excluded.upserts_provided,
                deletes_provided = exchange_totals.deletes_provided + excluded.deletes_provided,
                quarantined = exchange_totals.quarantined + excluded.quarantined,
                passes = exchange_totals.passes + excluded.passes,
                pass_completed_at = COALESCE(MIN(exchange_totals.pass_completed_at, excluded.pass_completed_at),
                                             exchange_totals.pass_completed_at, excluded.pass_completed_at),
                deliveries = exchange_totals.deliveries + excluded.deliveries,
                upserts_delivered = exchange_totals.upserts_delivered + excluded.upserts_delivered,
                deletes_delivered = exchange_totals.deletes_delivered + excluded.deletes_delivered,
                receipts_matched = exchange_totals.receipts_matched + excluded.receipts_matched,
                upserts_applied = exchange_totals.upserts_applied + excluded.upserts_applied,
                deletes_applied = exchange_totals.deletes_applied + excluded.deletes_applied,
                applied_at = COALESCE(MAX(exchange_totals.applied_at, excluded.applied_at), exchange_totals.applied_at, excluded.applied_at),
                pass_applied_at = COALESCE(MIN(exchange_totals.pass_applied_at, excluded.pass_applied_at),
                                           exchange_totals.pass_applied_at, excluded.pass_applied_at)
            """, arguments: [d.night.description, d.resourceCode, d.agreementID, d.provider, d.consumer, d.batches, d.upsertsProvided,
                             d.deletesProvided, d.quarantined, d.passes, d.passCompletedAt, d.deliveries, d.upsertsDelivered,
                             d.deletesDelivered, d.receiptsMatched, d.upsertsApplied, d.deletesApplied, d.appliedAt, d.passAppliedAt])
    }

    // MARK: Reads

    public func exchangeTotals(from: CalendarDate, through: CalendarDate, agency: String?) async throws -> [ExchangeNightTotal] {
        var sql = "SELECT \(Self.totalColumns) FROM exchange_totals WHERE night >= ? AND night <= ?"
        var arguments: StatementArguments = [from.description, through.description]
        if let agency { sql += " AND (provider = ? OR consumer = ?)"; arguments += [agency, agency] }
        let bound = arguments, query = sql + " ORDER BY night, resource_code, agreement_id"
        return try await pool.read { db in
            try Row.fetchAll(db, sql: query, arguments: bound).map(Self.total(from:))
        }
    }

    public func cadenceNights(from: CalendarDate, through: CalendarDate) async throws -> [CadenceNight] {
        try await pool.read { db in
            let rows = try Row.fetchCursor(db, sql: """
                SELECT CAST(julianday(night) - 2440587.5 AS INTEGER), CASE WHEN agreement_id = '' THEN resource_code ELSE agreement_id END,
                    agreement_id = '', batches, receipts_matched, pass_completed_at, pass_applied_at
                FROM exchange_totals WHERE night >= ? AND night <= ?
                    AND (batches > 0 OR pass_completed_at IS NOT NULL OR receipts_matched > 0 OR pass_applied_at IS NOT NULL)
                ORDER BY night
                """, arguments: [from.description, through.description])
            var nights: [CadenceNight] = []
            while let row = try rows.next() {
                nights.append(CadenceNight(day: row[0], subject: row[1], isResourceRow: row[2], batches: row[3], receiptsMatched: row[4],
                                           passCompletedAt: row[5], passAppliedAt: row[6]))
            }
            return nights
        }
    }

    public func monthlyExchangeTotals(from: CalendarDate, through: CalendarDate) async throws -> [ExchangeNightTotal] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT substr(night, 1, 7) || '-01' AS night, resource_code, agreement_id, provider, consumer,
                    SUM(batches) AS batches, SUM(upserts_provided) AS upserts_provided, SUM(deletes_provided) AS deletes_provided,
                    SUM(quarantined) AS quarantined, SUM(passes) AS passes, MIN(pass_completed_at) AS pass_completed_at,
                    SUM(deliveries) AS deliveries, SUM(upserts_delivered) AS upserts_delivered, SUM(deletes_delivered) AS deletes_delivered,
                    SUM(receipts_matched) AS receipts_matched, SUM(upserts_applied) AS upserts_applied, SUM(deletes_applied) AS deletes_applied,
                    MAX(applied_at) AS applied_at, MIN(pass_applied_at) AS pass_applied_at
                FROM exchange_totals WHERE night >= ? AND night <= ?
                GROUP BY substr(night, 1, 7), resource_code, agreement_id, provider, consumer
                ORDER BY 1, resource_code, agreement_id
                """, arguments: [from.description, through.description]).map(Self.total(from:))
        }
    }

    public func monthlyQuarantineTotals(from: CalendarDate, through: CalendarDate) async throws -> [QuarantineNightTotal] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT substr(night, 1, 7) || '-01' AS night, resource_code, provider, item, rule, SUM(count) AS count
                FROM quarantine_totals WHERE night >= ? AND night <= ?
                GROUP BY substr(night, 1, 7), resource_code, provider, item, rule ORDER BY 1, resource_code, item, rule
                """, arguments: [from.description, through.description]).map { row in
                QuarantineNightTotal(night: CalendarDate(row["night"] as String) ?? CalendarDate(year: 1970, month: 1, day: 1),
                                     resourceCode: row["resource_code"], provider: row["provider"], item: row["item"], rule: row["rule"],
                                     count: row["count"])
            }
        }
    }

    /// The columns in the order `total(from:)` reads them (by position: a year of nights is ~200 000 rows).
    static let totalColumns = """
        night, resource_code, agreement_id, provider, consumer, batches, upserts_provided, deletes_provided, quarantined, passes,
        pass_completed_at, deliveries, upserts_delivered, deletes_delivered, receipts_matched, upserts_applied, deletes_applied,
        applied_at, pass_applied_at
        """

    static func total(from row: Row) throws -> ExchangeNightTotal {
        guard let night = CalendarDate(row[0] as String) else { throw StoreError.unavailable(reason: "corrupt night in exchange_totals") }
        var t = ExchangeNightTotal(night: night, resourceCode: row[1], agreementID: row[2], provider: row[3], consumer: row[4])
        t.batches = row[5]
        t.upsertsProvided = row[6]
        t.deletesProvided = row[7]
        t.quarantined = row[8]
        t.passes = row[9]
        t.passCompletedAt = row[10]
        t.deliveries = row[11]
        t.upsertsDelivered = row[12]
        t.deletesDelivered = row[13]
        t.receiptsMatched = row[14]
        t.upsertsApplied = row[15]
        t.deletesApplied = row[16]
        t.appliedAt = row[17]
        t.passAppliedAt = row[18]
        return t
    }
}
