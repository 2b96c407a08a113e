import GXDomain
import GXPostgres
import PostgresNIO

/// Exchange totals per night (`exchange_totals`, `quarantine_totals`), kept in the transaction that accepts
/// a batch, records a delivery or records a receipt, so oversight reports never scan the batches.
extension PostgresHubStore {
    static let totalsMigration = "v10-exchange-totals"

    static let totalsSchema = """
        CREATE TABLE exchange_totals (
            night TEXT NOT NULL,
            resource_code TEXT NOT NULL,
            agreement_id TEXT NOT NULL,
            provider TEXT NOT NULL,
            consumer TEXT NOT NULL,
            batches BIGINT NOT NULL,
            upserts_provided BIGINT NOT NULL,
            deletes_provided BIGINT NOT NULL,
            quarantined BIGINT NOT NULL,
            passes BIGINT NOT NULL,
            pass_completed_at TEXT,
            deliveries BIGINT NOT NULL,
            upserts_delivered BIGINT NOT NULL,
            deletes_delivered BIGINT NOT NULL,
            receipts_matched BIGINT NOT NULL,
            upserts_applied BIGINT NOT NULL,
            deletes_applied BIGINT NOT NULL,
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
            count BIGINT NOT NULL,
            PRIMARY KEY (night, resource_code, item, rule)
        )
        """

    /// Fills the totals from the batches, deliveries and receipts already kept (run by the migration that
    /// creates them, in its transaction).
    func backfillTotals(on connection: PostgresConnection) async throws {
        var offset = 0
        while true {
            var count = 0
            let rows = try await connection.query("""
                SELECT manifest, accepted_at FROM batches ORDER BY resource_code, sequence LIMIT 1000 OFFSET \(offset)
                """, logger: logger).collect()
            for row in rows {
                let c = row.makeRandomAccess()
                try await addBatchTotals(try StoreCoding.decodeBase64(BatchManifest.self, try c[0].decode(String.self)),
                                         acceptedAt: try c[1].decode(String.self), on: connection)
                count += 1
            }
            if count < 1000 { break }
            offset += 1000
        }
        offset = 0
        while true {
            let rows = try await connection.query("""
                SELECT manifest FROM deliveries ORDER BY agreement_id, sequence LIMIT 1000 OFFSET \(offset)
                """, logger: logger).collect()
            for row in rows {
                try await addDeliveryTotals(try StoreCoding.decodeBase64(DeliveryManifest.self, try row.makeRandomAccess()[0].decode(String.self)),
                                            on: connection)
            }
            if rows.count < 1000 { break }
            offset += 1000
        }
        offset = 0
        while true {
            let rows = try await connection.query("""
                SELECT receipt, received_at FROM receipts ORDER BY agreement_id, sequence LIMIT 1000 OFFSET \(offset)
                """, logger: logger).collect()
            for row in rows {
                let c = row.makeRandomAccess()
                try await addReceiptTotals(try StoreCoding.decodeBase64(BatchReceipt.self, try c[0].decode(String.self)),
                                           receivedAt: try c[1].decode(String.self), on: connection)
            }
            if rows.count < 1000 { break }
            offset += 1000
        }
    }

    func addBatchTotals(_ manifest: BatchManifest, acceptedAt: String, on connection: PostgresConnection) async throws {
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
        try await addTotals(delta, on: connection)
        for finding in manifest.quarantine where finding.count > 0 {
            try await connection.run("""
                INSERT INTO quarantine_totals (night, resource_code, provider, item, rule, count)
                VALUES (\(night.description), \(manifest.resourceCode), \(manifest.provider), \(finding.item), \(finding.rule), \(finding.count))
                ON CONFLICT (night, resource_code, item, rule) DO UPDATE SET count = quarantine_totals.count + excluded.count
                """, logger: logger)
        }
    }

    func addDeliveryTotals(_ manifest: DeliveryManifest, on connection: PostgresConnection) async throws {
        let rows = try await connection.query("""
            SELECT accepted_at FROM batches WHERE resource_code = \(manifest.resourceCode) AND sequence = \(manifest.sequence)
            """, logger: logger).collect()
        guard let row = rows.first, let night = CalendarDate.night(ofTimestamp: try row.makeRandomAccess()[0].decode(String.self)) else { return }
        var delta = ExchangeNightTotal(night: night, resourceCode: manifest.resourceCode, agreementID: manifest.agreementID,
                                       provider: manifest.provider, consumer: manifest.consumer)
        delta.deliveries = 1
        delta.upsertsDelivered = manifest.counts.upserts
        delta.deletesDelivered = manifest.counts.deletes
        try await addTotals(delta, on: connection)
    }

    func addReceiptTotals(_ receipt: BatchReceipt, receivedAt: String, on connection: PostgresConnection) async throws {
        let rows = try await connection.query("""
            SELECT manifest, accepted_at FROM batches WHERE resource_code = \(receipt.resourceCode) AND sequence = \(receipt.sequence)
            """, logger: logger).collect()
        guard let row = rows.first?.makeRandomAccess(), let night = CalendarDate.night(ofTimestamp: try row[1].decode(String.self)) else { return }
        let batch = try StoreCoding.decodeBase64(BatchManifest.self, try row[0].decode(String.self))
        var delta = ExchangeNightTotal(night: night, resourceCode: receipt.resourceCode, agreementID: receipt.agreementID,
                                       provider: batch.provider, consumer: receipt.consumer)
        delta.receiptsMatched = 1
        delta.upsertsApplied = receipt.upsertsApplied
        delta.deletesApplied = receipt.deletesApplied
        delta.appliedAt = receivedAt
        if batch.isLastOfPass { delta.passAppliedAt = receivedAt }
        try await addTotals(delta, on: connection)
    }

    /// Adds a night's counts to its row; of the times, keeps the first pass, the last receipt and the first
    /// receipt of a pass (LEAST and GREATEST skip NULLs).
    func addTotals(_ d: ExchangeNightTotal, on connection: PostgresConnection) async throws {
        try await connection.run("""
            INSERT INTO exchange_totals (night, resource_code, agreement_id, provider, consumer, batches, upserts_provided, deletes_provided,
                quarantined, passes, pass_completed_at, deliveries, upserts_delivered, deletes_delivered, receipts_matched, upserts_applied,
                deletes_applied, applied_at, pass_applied_at)
            VALUES (\(d.night.description), \(d.resourceCode), \(d.agreementID), \(d.provider), \(d.consumer), \(d.batches), \(d.upsertsProvided),
                \(d.deletesProvided), \(d.quarantined), \(d.passes), \(d.passCompletedAt), \(d.deliveries), \(d.upsertsDelivered),
                \(d.deletesDelivered), \(d.receiptsMatched), \(d.upsertsApplied), \(d.deletesApplied), \(d.appliedAt), \(d.passAppliedAt))
            ON CONFLICT (night, resource_code, agreement_id) DO UPDATE SET
                batches = exchange_totals.batches + excluded.batches,
                upserts_provided = exchange_totals.upserts_provided + excluded.upserts_provided,
                deletes_provided = exchange_totals.deletes_provided + excluded.deletes_provided,
                quarantined = exchange_totals.quarantined + excluded.quarantined,
                passes = exchange_totals.passes + excluded.passes,
                pass_completed_at = LEAST(exchange_totals.pass_completed_at, excluded.pass_completed_at),
                deliveries = exchange_totals.deliveries + excluded.deliveries,
                upserts_delivered = exchange_totals.upserts_delivered + excluded.upserts_delivered,
                deletes_delivered = exchange_totals.deletes_delivered + excluded.deletes_delivered,
                receipts_matched = exchange_totals.receipts_matched + excluded.receipts_matched,
                upserts_applied = exchange_totals.upserts_applied + excluded.upserts_applied,
                deletes_applied = exchange_totals.deletes_applied + excluded.deletes_applied,
                applied_at = GREATEST(exchange_totals.applied_at, excluded.applied_at),
                pass_applied_at = LEAST(exchange_totals.pass_applied_at, excluded.pass_applied_at)
            """, logger: logger)
    }

    // MARK: Reads

    public func exchangeTotals(from: CalendarDate, through: CalendarDate, agency: String?) async throws -> [ExchangeNightTotal] {
        try await read { [self] connection in
            let rows = if let agency {
                try await connection.query("""
                    SELECT \(unescaped: Self.totalColumns) FROM exchange_totals WHERE night >= \(from.description) AND night <= \(through.description)
                    AND (provider = \(agency) OR consumer = \(agency)) ORDER BY night, resource_code, agreement_id
                    """, logger: logger)
            } else {
                try await connection.query("""
                    SELECT \(unescaped: Self.totalColumns) FROM exchange_totals WHERE night >= \(from.description) AND night <= \(through.description)
                    ORDER BY night, resource_code, agreement_id
                    """, logger: logger)
            }
            return try await Self.totals(rows)
        }
    }

    public func cadenceNights(from: CalendarDate, through: CalendarDate) async throws -> [CadenceNight] {
        // One row per resource or agreement with its nights as arrays: a year of 550 pairs is 600 rows to
        // decode rather than 200 000 (NULL times travel as '' since arrays decode without NULL elements).
        try await read { [self] connection in
            let rows = try await connection.query("""
                SELECT CASE WHEN agreement_id = '' THEN resource_code ELSE agreement_id END AS subject, agreement_id = '' AS own,
                    array_agg((night::date - DATE '1970-01-01')::INT8 ORDER BY night), array_agg(batches ORDER BY night),
                    array_agg(receipts_matched ORDER BY night), array_agg(COALESCE(pass_completed_at, '') ORDER BY night),
                    array_agg(COALESCE(pass_applied_at, '') ORDER BY night)
                FROM exchange_totals WHERE night >= \(from.description) AND night <= \(through.description)
                    AND (batches > 0 OR pass_completed_at IS NOT NULL OR receipts_matched > 0 OR pass_applied_at IS NOT NULL)
                GROUP BY 1, 2
                """, logger: logger)
            var nights: [CadenceNight] = []
            for try await (subject, own, days, batches, receipts, passAt, appliedAt)
                in rows.decode((String, Bool, [Int64], [Int64], [Int64], [String], [String]).self) {
                for i in days.indices {
                    nights.append(CadenceNight(day: Int(days[i]), subject: subject, isResourceRow: own, batches: batches[i], receiptsMatched: receipts[i],
                                               passCompletedAt: passAt[i].isEmpty ? nil : passAt[i], passAppliedAt: appliedAt[i].isEmpty ? nil : appliedAt[i]))
                }
            }
            return nights
        }
    }

    public func monthlyExchangeTotals(from: CalendarDate, through: CalendarDate) async throws -> [ExchangeNightTotal] {
        try await read { [self] connection in
            let rows = try await connection.query("""
                SELECT substr(night, 1, 7) || '-01', resource_code, agreement_id, provider, consumer,
                    SUM(batches)::BIGINT, SUM(upserts_provided)::BIGINT, SUM(deletes_provided)::BIGINT, SUM(quarantined)::BIGINT,
                    SUM(passes)::BIGINT, MIN(pass_completed_at), SUM(deliveries)::BIGINT, SUM(upserts_delivered)::BIGINT,
                    SUM(deletes_delivered)::BIGINT, SUM(receipts_matched)::BIGINT, SUM(upserts_applied)::BIGINT, SUM(deletes_applied)::BIGINT,
                    MAX(applied_at), MIN(pass_applied_at)
                FROM exchange_totals WHERE night >= \(from.description) AND night <= \(through.description)
                GROUP BY substr(night, 1, 7), resource_code, agreement_id, provider, consumer
                ORDER BY 1, resource_code, agreement_id
                """, logger: logger)
            return try await Self.totals(rows)
        }
    }

    public func monthlyQuarantineTotals(from: CalendarDate, through: CalendarDate) async throws -> [QuarantineNightTotal] {
        try await read { [self] connection in
            let rows = try await connection.query("""
                SELECT substr(night, 1, 7) || '-01', resource_code, provider, item, rule, SUM(count)::BIGINT
                FROM quarantine_totals WHERE night >= \(from.description) AND night <= \(through.description)
                GROUP BY substr(night, 1, 7), resource_code, provider, item, rule ORDER BY 1, resource_code, item, rule
                """, logger: logger)
            var totals: [QuarantineNightTotal] = []
            for try await (night, resource, provider, item, rule, count) in rows.decode((String, String, String, String, String, Int64).self) {
                guard let night = CalendarDate(night) else { throw StoreError.unavailable(reason: "corrupt night in quarantine_totals") }
                totals.append(QuarantineNightTotal(night: night, resourceCode: resource, provider: provider, item: item, rule: rule, count: count))
            }
            return totals
        }
    }

    static let totalColumns = """
        night, resource_code, agreement_id, provider, consumer, batches, upserts_provided, deletes_provided, quarantined, passes,
        pass_completed_at, deliveries, upserts_delivered, deletes_delivered, receipts_matched, upserts_applied, deletes_applied,
        applied_at, pass_applied_at
        """

    static func totals(_ rows: PostgresRowSequence) async throws -> [ExchangeNightTotal] {
        var totals: [ExchangeNightTotal] = []
        for try await row in rows {
            let c = row.makeRandomAccess()
            guard let night = CalendarDate(try c[0].decode(String.self)) else { throw StoreError.unavailable(reason: "corrupt night in exchange_totals") }
            var t = ExchangeNightTotal(night: night, resourceCode: try c[1].decode(String.self), agreementID: try c[2].decode(String.self),
                                       provider: try c[3].decode(String.self), consumer: try c[4].decode(String.self))
            t.batches = try c[5].decode(Int64.self)
            t.upsertsProvided = try c[6].decode(Int64.self)
            t.deletesProvided = try c[7].decode(Int64.self)
            t.quarantined = try c[8].decode(Int64.self)
            t.passes = try c[9].decode(Int64.self)
            t.passCompletedAt = try c[10].decode(String?.self)
            t.deliveries = try c[11].decode(Int64.self)
            t.upsertsDelivered = try c[12].decode(Int64.self)
            t.deletesDelivered = try c[13].decode(Int64.self)
            t.receiptsMatched = try c[14].decode(Int64.self)
            t.upsertsApplied = try c[15].decode(Int64.self)
            t.deletesApplied = try c[16].decode(Int64.self)
            t.appliedAt = try c[17].decode(String?.self)
            t.passAppliedAt = try c[18].decode(String?.self)
            totals.append(t)
        }
        return totals
    }
}
