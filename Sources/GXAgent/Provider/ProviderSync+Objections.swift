import GXDomain

extension ProviderSync {
    /// One log line per objection flagging a record of `resource`, so the provider's operator sees at the start of
    /// each run what awaits an answer (`gx objection answer`) or a correction at the source. Only informative:
    /// a hub that cannot list them does not stop the run.
    func logOpenObjections(against resource: String) async {
        do {
            let views: [ListedObjection] = try await client.get("/v1/objections?flagged=true&provider=\(client.escape(configuration.agency))&resource=\(client.escape(resource))")
            for view in views {
                let o = view.objection
                let act = o.state == .confirmed ? "confirmed: correct the record at the source; the next batch carrying its key closes it"
                    : "awaiting your answer by \(o.deadline)\(view.overdue ? " (OVERDUE, before the authority)" : ""): gx objection answer \(o.id) confirmed|rejected"
                logger.notice("objection \(o.id) [\(o.state.rawValue)] on \(resource) key \(o.keyText), items \(o.items.joined(separator: "、")) from \(o.consumer) — \(act)")
            }
        } catch {
            logger.warning("could not list the objections against \(resource): \(error)")
        }
    }
}
