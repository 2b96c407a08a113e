import Foundation
import GXTestSupport
import Testing

/// `gx audit list/export --resource` against a hub serving a copy of the quickstart's state, and what
/// `gx audit verify` makes of a filtered export.
@Suite("gx audit: filters, selections")
struct AuditSelectionCommandTests {
    struct Served {
        let hub: HubProcess
        let directory: URL
        let run: Quickstart.Run
        var client: [String] { ["--hub", hub.url, "--token-file", directory.appendingPathComponent("hub/auditor.token").path] }
        var pub: String { directory.appendingPathComponent("hub/hub.pub").path }
    }

    func served() async throws -> Served {
        let run = try await Quickstart.run()
        let directory = try temporaryDirectory("audit-selection")
        try run.copyState(to: directory)
        let hub = try await HubProcess(database: directory.appendingPathComponent("hub/hub.sqlite").path, directory: directory)
        return Served(hub: hub, directory: directory, run: run)
    }

    @Test("gx audit export --resource writes a selection that gx audit verify calls one (exit 4, never intact); the whole export verifies")
    func selectionIsNotAChain() async throws {
        let served = try await served()
        defer { served.hub.stop() }
        let listed = try await GXBinary.run(["audit", "list", "--resource", "RK-001", "--all", "--json"] + served.client)
        try #require(listed.status == 0, "\(listed.stderr)")
        let page = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [String: Any])
        let seqs = try #require(page["entries"] as? [[String: Any]]).compactMap { $0["seq"] as? Int }
        #expect(seqs.count > 5)

        let file = served.directory.appendingPathComponent("rk.ndjson").path
        let exported = try await GXBinary.run(["audit", "export", "--resource", "RK-001", "--out", file] + served.client)
        try #require(exported.status == 0, "\(exported.stderr)")
        #expect(exported.stderr.contains("a selection of the audit log (resource=RK-001)"))
        let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n")
        #expect(lines.first?.contains(#""selection":{"resource":"RK-001"}"#) == true, "\(lines.first ?? "")")
        let exportedSeqs = lines.filter { $0.hasPrefix(#"{"entry""#) }.compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]).flatMap { ($0["entry"] as? [String: Any])?["seq"] as? Int }
        }
        #expect(exportedSeqs == seqs)

        let verified = try await GXBinary.run(["audit", "verify", "--file", file, "--pub", served.pub])
        #expect(verified.status == 4, "\(verified.stdout)\(verified.stderr)")
        #expect(verified.stdout.contains("is a SELECTION of the audit log, not the whole chain: resource=RK-001"))
        #expect(!verified.stdout.contains("intact"))
        let json = try await GXBinary.run(["audit", "verify", "--file", file, "--pub", served.pub, "--json"])
        #expect(json.status == 4)
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(summary["verdict"] as? String == "selection" && summary["intact"] as? Bool == false, "\(json.stdout)")
        #expect(summary["selection"] as? [String: String] == ["resource": "RK-001"] && summary["entries"] as? Int == seqs.count)

        // An entry of the selection edited: its hash no longer matches its content.
        let edited = served.directory.appendingPathComponent("edited.ndjson")
        let second = try #require(seqs.dropFirst().first)
        try (lines.map { $0.contains(#""seq":\#(second),"#) ? $0.replacingOccurrences(of: #""actor":""#, with: #""actor":"x"#) : String($0) }
            .joined(separator: "\n") + "\n").write(to: edited, atomically: true, encoding: .utf8)
        let broken = try await GXBinary.run(["audit", "verify", "--file", edited.path, "--pub", served.pub])
        #expect(broken.status == 1, "\(broken.stdout)")
        #expect(broken.stdout.contains("entry \(second): its hash is not"))

        let whole = served.directory.appendingPathComponent("whole.ndjson").path
        #expect(try await GXBinary.run(["audit", "export", "--out", whole] + served.client).status == 0)
        let intact = try await GXBinary.run(["audit", "verify", "--file", whole, "--pub", served.pub])
        #expect(intact.status == 0, "\(intact.stdout)")
        #expect(intact.stdout.contains("audit chain intact"))
    }
}
