import Foundation
import GXCrypto
import GXDomain
import GXHub
import GXStorage
import Hummingbird

extension Console {
    // MARK: Overview

    /// The authority's morning look: the registry's size, agreements by state, and for each active
    /// agreement how its last night went.
    func overview(_ visitor: Visitor) async throws -> Response {
        let agencies = try await hub.store.agencies()
        let entries = try await hub.store.catalogueEntries()
        let all = try await hub.store.agreements(matching: AgreementQuery())
        let names = Dictionary(agencies.map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a })
        let byState: [[String: Any]] = AgreementState.allCases.compactMap { state in
            let count = all.filter { $0.state == state }.count
            guard count > 0 else { return nil }
            return ["label": stateLabel(state, visitor), "count": count, "stateClass": state.rawValue,
                    "href": "\(Self.prefix)/agreements?state=\(state.rawValue)"]
        }
        var nights: [[String: Any]] = []
        // A verification agreement (比对核实) moves no batches: it has no night of deliveries to show here.
        for agreement in all where agreement.state == .active && agreement.terms.method.deliversBatches {
            nights.append(try await lastNight(of: agreement, names: names, visitor))
        }
        let awaiting = all.filter { $0.state == .signedByProvider }.map {
            ["id": $0.id, "href": "\(Self.prefix)/agreements/\(Self.pathEscaped($0.id))"]
        }
        let overdue = try await DemandWorkflow(hub: hub).overdue(at: now()).count
        // Last night's lag per agreement as bars; the table below keeps every figure.
        let lagBars = nights.compactMap { night in
            (night["lagSeconds"] as? TimeInterval).map { ConsoleChart.Bar(label: night["id"] as! String, value: $0, figure: night["lag"] as! String) }
        }
        let lagChart = ConsoleChart.rows(lagBars, title: text("overview.lag_chart", visitor), kind: "lag", color: "#8250df")
        return render("overview", title: text("overview.title", visitor), [
            "agencies": agencies.count, "resources": entries.count, "agreements": all.count, "overdueDemands": overdue, "hasOverdueDemands": overdue > 0,
            "byState": byState, "nights": nights, "noNights": nights.isEmpty, "lagChart": lagChart, "hasLag": !lagBars.isEmpty,
            "toFile": awaiting, "hasToFile": !awaiting.isEmpty, "canAct": visitor.principal.kind == .admin,
        ], for: visitor)
    }

    /// An active agreement's last batch: did the provider's pass end, did the consumer apply it, does the
    /// receipt match the delivery, and how long from acceptance to receipt.
    func lastNight(of agreement: SharingAgreement, names: [String: String], _ visitor: Visitor) async throws -> [String: Any] {
        let terms = agreement.terms
        var row: [String: Any] = [
            "id": agreement.id, "href": "\(Self.prefix)/agreements/\(Self.pathEscaped(agreement.id))",
            "pair": "\(names[terms.provider] ?? terms.provider) → \(names[terms.consumer] ?? terms.consumer)",
            "resource": terms.resourceCode,
        ]
        let last = try await hub.store.lastBatchSequence(resourceCode: terms.resourceCode)
        guard last > 0, let batch = try await hub.store.batch(resourceCode: terms.resourceCode, sequence: last) else {
            row["status"] = text("night.missing", visitor); row["statusClass"] = "bad"
            return row
        }
        let acknowledged = try await hub.store.acknowledgedSequence(agreementID: agreement.id)
        row["batch"] = "#\(last) · \(batch.acceptedAt.prefix(16).replacingOccurrences(of: "T", with: " "))"
        row["passEnded"] = batch.manifest.endsPass == nil || batch.manifest.isLastOfPass
        row["applied"] = acknowledged >= last
        var matched = false
        if let receipt = try await hub.store.receipt(agreementID: agreement.id, sequence: last) {
            let delivery = try await hub.store.delivery(agreementID: agreement.id, sequence: last)
            matched = delivery.map { $0.manifest.records.sm3 == receipt.receipt.recordsSM3 } ?? false
            if let accepted = Timestamp.date(from: batch.acceptedAt), let received = Timestamp.date(from: receipt.receivedAt) {
                row["lag"] = Self.duration(received.timeIntervalSince(accepted), visitor.language)
                row["lagSeconds"] = max(0, received.timeIntervalSince(accepted))
            }
        }
        row["matched"] = matched
        let age = now().timeIntervalSince(Timestamp.date(from: batch.acceptedAt) ?? .distantPast)
        let late = terms.frequency == .daily && age > 36 * 3600
        if late {
            row["status"] = text("night.late", visitor); row["statusClass"] = "bad"
        } else if acknowledged < last || !matched {
            row["status"] = text("night.waiting", visitor); row["statusClass"] = "warn"
        } else {
            row["status"] = text("night.ok", visitor); row["statusClass"] = "ok"
        }
        return row
    }

    static func duration(_ seconds: TimeInterval, _ language: ConsoleLanguage) -> String {
        let s = max(0, Int(seconds.rounded()))
        let zh = language == .chinese
        if s < 60 { return zh ? "\(s) 秒" : "\(s) s" }
        if s < 3600 { return zh ? "\(s / 60) 分 \(s % 60) 秒" : "\(s / 60) min \(s % 60) s" }
        return zh ? "\(s / 3600) 小时 \(s % 3600 / 60) 分" : "\(s / 3600) h \(s % 3600 / 60) min"
    }

    // MARK: Agencies and catalogue

    func agencies(_ visitor: Visitor) async throws -> Response {
        let rows: [[String: Any]] = try await hub.store.agencies().map { agency in
            [
                "code": agency.code, "name": agency.name,
                "roles": agency.roles.map { text("role.\($0.rawValue)", visitor) }.joined(separator: "、"),
                "fingerprint": Self.fingerprint(agency.publicKeyPEM),
                "history": agency.retiredKeys.map { ["fingerprint": Self.fingerprint($0.publicKeyPEM), "retiredAt": $0.retiredAt] },
                "rotated": !agency.retiredKeys.isEmpty,
            ]
        }
        return render("agencies", title: text("agencies.title", visitor), ["rows": rows, "hubKey": Self.fingerprint(hub.key.publicKey.pem)], for: visitor)
    }

    /// SM3 of the key's PEM, shortened and grouped for reading aloud over the phone.
    static func fingerprint(_ pem: String) -> String {
        let hex = SM3.digest(pem).hex.prefix(32)
        return stride(from: 0, to: hex.count, by: 4).map { offset in
            let start = hex.index(hex.startIndex, offsetBy: offset)
            return String(hex[start..<hex.index(start, offsetBy: 4)])
        }.joined(separator: " ")
    }

    func catalogue(_ visitor: Visitor) async throws -> Response {
        let names = Dictionary(try await hub.store.agencies().map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a })
        let entries: [[String: Any]] = try await hub.store.catalogueEntries().map { entry in
            var values: [String: Any] = [
                "code": entry.resourceCode, "name": entry.name, "provider": names[entry.provider] ?? entry.provider,
                "summary": entry.summary, "sharingType": entry.sharingType.rawValue, "cycle": entry.updateCycle.rawValue,
                "version": entry.schemaVersion, "published": entry.publishedOn.description,
                "items": entry.items.map { item in
                    ["name": item.name, "type": item.type.rawValue, "length": item.length.map(String.init) ?? "",
                     "codeTable": item.codeTable?.name ?? "", "key": item.key, "required": item.required,
                     "level": item.level?.description ?? "—"]
                },
            ]
            if let basis = entry.sharingBasis { values["basis"] = basis }
            return values
        }
        return render("catalogue", title: text("catalogue.title", visitor), ["entries": entries], for: visitor)
    }
}
