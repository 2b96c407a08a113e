import GXDomain

extension ConsumerSync {
    /// Asks the hub which records of the agreement's resource are flagged by unresolved objections (any
    /// consumer's) and has the sink keep exactly those in `gx_disputed`. A hub that cannot answer leaves the
    /// table as it was, with a warning: the flags are advice, the data still flows.
    func expectDisputes(of agreement: String, in sink: any RecordSink) async {
        do {
            let listed: [ListedObjection] = try await client.get("/v1/objections?flagged=true&agreement=\(client.escape(agreement))")
            let disputes = listed.map { DisputedKey(key: $0.objection.keyText, objection: $0.objection.id, since: $0.objection.raisedAt) }
            sink.expectDisputes(disputes, stream: agreement)
            if !disputes.isEmpty {
                logger.info("\(agreement): \(disputes.count) record(s) disputed (\(disputes.map(\.objection).joined(separator: ", "))), kept in \(DisputedKey.table)")
            }
        } catch {
            logger.warning("\(agreement): could not list the disputed records; \(DisputedKey.table) is left as it was: \(error)")
        }
    }
}
