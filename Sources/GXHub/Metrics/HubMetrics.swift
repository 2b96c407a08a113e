import Foundation
import GXDomain
import GXStorage
import Prometheus
import Synchronization

/// What the hub reports to Prometheus at `/metrics`. Counters belong to this process (Prometheus sums
/// across hub processes); the audit-chain length and delivery lag are read from the store at each scrape,
/// so every process reports the same, current figures.
public final class HubMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()

    public init() {}

    func batchAccepted(resource: String, records: Int64, wireBytes: Int64) {
        let labels = [("resource", resource)]
        registry.makeCounter(descriptor: Self.batchesAccepted, labels: labels).increment()
        registry.makeCounter(descriptor: Self.records, labels: labels).increment(by: records)
        registry.makeCounter(descriptor: Self.batchBytes, labels: labels).increment(by: wireBytes)
    }

    /// `reason` is the refusal's field (`signature`, `manifest.sequence`, `records`, …) or its HTTP status:
    /// a short, bounded set of values, never the free-text message.
    func batchRefused(reason: String) {
        registry.makeCounter(descriptor: Self.batchesRefused, labels: [("reason", reason)]).increment()
    }

    /// A refusal past its caller's allowance of audit entries: counted here, summarised in the chain later.
    func refusalUnrecorded(action: String) {
        registry.makeCounter(descriptor: Self.refusalsUnrecorded, labels: [("action", action)]).increment()
    }

    func requestFinished(method: String, route: String, status: Int, duration: Duration) {
        registry.makeDurationHistogram(descriptor: Self.requestDuration,
                                       labels: [("method", method), ("route", route), ("status", String(status))],
                                       buckets: Self.latencyBuckets)
            .record(duration)
    }

    /// Per agreement ever reported: 1 while its last ended period was a 空白 (no pass, or a pass never applied).
    func cadenceOverdue(_ overdue: [ComplianceRow]) {
        let now = Set(overdue.compactMap(\.agreementID))
        for id in now.union(cadenceReported.withLock { $0.formUnion(now); return $0 }) {
            registry.makeGauge(descriptor: Self.cadenceOverdue, labels: [("agreement", id)]).set(Int64(now.contains(id) ? 1 : 0))
        }
    }
    let cadenceReported = Mutex<Set<String>>([])

    /// The exposition text, after refreshing the figures that come from the store.
    func exposition(store: any HubStore) async throws -> [UInt8] {
        let head = try await store.auditHead()
        registry.makeGauge(descriptor: Self.auditChainLength).set(head.seq)
        for agreement in try await store.agreements(matching: AgreementQuery(state: .active)) {
            let sent = try await store.lastBatchSequence(resourceCode: agreement.terms.resourceCode)
            let acknowledged = try await store.acknowledgedSequence(agreementID: agreement.id)
            registry.makeGauge(descriptor: Self.deliveryLag, labels: [("agreement", agreement.id)]).set(max(0, sent - acknowledged))
        }
        // Undecided demands past their time limit, by who must act: the authority or the provider.
        let overdue = try await store.demands(matching: DemandQuery(overdueAt: Timestamp.string(from: Date())))
        for awaiting in ["authority", "provider"] {
            let count = overdue.filter { ($0.awaiting == "authority") == (awaiting == "authority") }.count
            registry.makeGauge(descriptor: Self.demandsOverdue, labels: [("awaiting", awaiting)]).set(Int64(count))
        }
        // Objections awaiting the provider's answer past their deadline (escalated ones included).
        let overdueObjections = try await store.objections(matching: ObjectionQuery(overdueAt: Timestamp.string(from: Date())))
        registry.makeGauge(descriptor: Self.objectionsOverdue).set(Int64(overdueObjections.count))
        return registry.emitToBuffer()
    }

    static var batchesAccepted: MetricNameDescriptor { MetricNameDescriptor(namespace: "gongxiang", metricName: "batches_accepted", unitName: "total",
                                                      helpText: "Batches accepted from providers, by resource.") }
    static var batchesRefused: MetricNameDescriptor { MetricNameDescriptor(namespace: "gongxiang", metricName: "batches_refused", unitName: "total",
                                                     helpText: "Batches refused, by what was wrong (manifest field or HTTP status).") }
    static var refusalsUnrecorded: MetricNameDescriptor { MetricNameDescriptor(namespace: "gongxiang", metricName: "audit_refusals_unrecorded", unitName: "total",
                                                         helpText: "Refused requests past their caller's per-minute allowance of audit entries, by action; each window is summarised by one entry.") }
    static var records: MetricNameDescriptor { MetricNameDescriptor(namespace: "gongxiang", metricName: "records", unitName: "total",
                                              helpText: "Records (upserts and deletes) in accepted batches, by resource.") }
    static var batchBytes: MetricNameDescriptor { MetricNameDescriptor(namespace: "gongxiang", metricName: "batch_bytes", unitName: "total",
                                                 helpText: "Compressed payload bytes of accepted batches, by resource.") }
    static var deliveryLag: MetricNameDescriptor { MetricNameDescriptor(namespace: "gongxiang", metricName: "delivery_lag", unitName: "batches",
                                                  helpText: "Batches of an active agreement's resource its consumer has not yet acknowledged.") }
    static var demandsOverdue: MetricNameDescriptor { MetricNameDescriptor(namespace: "gongxiang", metricName: "demands_overdue", unitName: "",
                                                     helpText: "Undecided sharing demands past their time limit in working days, by who must act (authority, provider).") }
    static var objectionsOverdue: MetricNameDescriptor { MetricNameDescriptor(namespace: "gongxiang", metricName: "objections_overdue", unitName: "",
                                                        helpText: "Objections to shared records awaiting the provider's answer past their deadline in working days.") }
    static var cadenceOverdue: MetricNameDescriptor { MetricNameDescriptor(namespace: "gongxiang", metricName: "cadence_overdue", unitName: "",
                                                     helpText: "1 while an agreement's last ended period (night, week, month by its frequency) was a 空白: no pass, or a pass its consumer never applied.") }
    static var auditChainLength: MetricNameDescriptor { MetricNameDescriptor(namespace: "gongxiang", metricName: "audit_chain_length", unitName: "",
                                                       helpText: "Entries in the audit chain.") }
    static var requestDuration: MetricNameDescriptor { MetricNameDescriptor(namespace: "gongxiang", metricName: "http_request_duration", unitName: "seconds",
                                                      helpText: "Time until an API request's response starts, by method, route and status.") }
    static let latencyBuckets: [Duration] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300]
        .map { Duration.nanoseconds(Int64($0 * 1e9)) }
}
