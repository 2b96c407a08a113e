import Foundation
import GXCrypto
import GXDomain
import GXHub
import GXStorage

/// Feeds an audit chain from a file, a database or a hub into `AuditChainVerifier`.
enum AuditVerification {
    struct Summary: Encodable {
        var intact: Bool
        var entries: Int64
        var checkpoints: Int
        var headSeq: Int64
        var headHash: String
        var coveredBySeq: Int64?
        var verdict: String
        var unverifiedEntries: Int64
        var brokenAt: Int64?
        var breakKind: String?
        var message: String?

        init(_ report: AuditChainVerifier.Report) {
            // Intact means proven: linked throughout and covered by a checkpoint signed with the given key.
            intact = report.verdict == .intact
            entries = report.entriesChecked
            checkpoints = report.checkpointsChecked
            headSeq = report.lastSeq
            headHash = report.headHash
            coveredBySeq = report.coveredBySeq
            verdict = report.verdict.rawValue
            unverifiedEntries = report.uncoveredEntries
            brokenAt = report.firstBreak?.seq
            breakKind = report.firstBreak?.kind.rawValue
            message = report.firstBreak?.message
        }

        enum CodingKeys: String, CodingKey {
            case intact, entries, checkpoints, headSeq = "head_seq", headHash = "head_hash", coveredBySeq = "covered_by_seq"
            case verdict, unverifiedEntries = "unverified_entries"
            case brokenAt = "broken_at", breakKind = "break_kind", message
        }
    }

    /// A filtered export (its header names a selection): only some entries, so no chain to verify. What can be
    /// checked is that each entry's hash is the SM3 of its own content and stated predecessor, in increasing
    /// order; that proves nothing about who wrote them, which only the whole chain and its checkpoints can.
    struct Selection: Encodable {
        var filters: [String: String]
        var entries: Int64 = 0
        /// The first entry whose hash is not its content's, or which is out of order.
        var brokenAt: Int64?
        var intact = false
        var verdict = "selection"

        enum CodingKeys: String, CodingKey { case filters = "selection", entries, brokenAt = "broken_at", intact, verdict }
    }

    enum Outcome {
        case chain(AuditChainVerifier.Report)
        case selection(Selection)
    }

    static func verify(exportFile path: String, hubKey: SM2PublicKey) throws -> AuditChainVerifier.Report {
        switch try inspect(exportFile: path, hubKey: hubKey) {
        case .chain(let report): return report
        case .selection(let selection):
            throw CLIError("\(path) is a selection of the audit log (\(AuditExport.describe(selection.filters))), not the whole chain")
        }
    }

    /// Two passes over the file: checkpoints first (they close the export), then the entries in order.
    /// Every line must be the header, an entry or a checkpoint: anything else is bad input (exit 2) naming its
    /// line, not a break in the chain, because the file is not an export at all. A header naming a selection
    /// makes it a selection: its entries are checked one by one, never reported as a chain.
    static func inspect(exportFile path: String, hubKey: SM2PublicKey) throws -> Outcome {
        let decoder = JSONDecoder()
        let checkpointPrefix = Array(#"{"checkpoint""#.utf8), entryPrefix = Array(#"{"entry""#.utf8)
        var checkpoints: [AuditCheckpoint] = []
        var selection: Selection?
        try forEachLine(of: path) { number, line in
            if line.starts(with: entryPrefix) { return true }
            if line.starts(with: checkpointPrefix) {
                guard let parsed = try? decoder.decode(HubAPI.ExportLine.self, from: Data(line)), parsed.type == .checkpoint,
                      let checkpoint = parsed.checkpoint else {
                    throw CLIError("\(path): line \(number) is not a readable checkpoint")
                }
                checkpoints.append(checkpoint)
            } else if let parsed = try? decoder.decode(HubAPI.ExportLine.self, from: Data(line)), parsed.type == .header, let filters = parsed.selection {
                selection = Selection(filters: filters)
            }
            return true
        }
        var verifier = AuditChainVerifier(checkpoints: checkpoints, hubKey: hubKey)
        var previousSeq: Int64 = 0
        try forEachLine(of: path) { number, line in
            if line.starts(with: checkpointPrefix) { return true }
            if line.starts(with: entryPrefix) {
                guard let parsed = try? decoder.decode(HubAPI.ExportLine.self, from: Data(line)), parsed.type == .entry,
                      let entry = parsed.entry else {
                    throw CLIError("\(path): line \(number) is not a readable entry")
                }
                guard selection != nil else { return verifier.check(entry) }
                selection!.entries += 1
                if entry.seq <= previousSeq || AuditChain.linkHash(of: entry) != entry.hash {
                    selection!.brokenAt = entry.seq
                    return false
                }
                previousSeq = entry.seq
                return true
            }
            guard let parsed = try? decoder.decode(HubAPI.ExportLine.self, from: Data(line)), parsed.type == .header,
                  parsed.hubPublicKey != nil, parsed.entry == nil, parsed.checkpoint == nil else {
                throw CLIError("\(path): line \(number) is not an export line (a header, an entry or a checkpoint)")
            }
            return true
        }
        if let selection { return .selection(selection) }
        return .chain(verifier.finish())
    }

    /// Downloads the export to a temporary file and verifies it; the key defaults to the one the hub states.
    static func verify(client: HubClient, hubKey: SM2PublicKey?) async throws -> AuditChainVerifier.Report {
        let key: SM2PublicKey
        if let hubKey { key = hubKey } else {
            Console.note("checking against the key the hub states; pass --pub to check against the authority's copy")
            let info: HubAPI.HubInfo = try await client.get("/v1/hub")
            key = try SM2PublicKey(pem: info.publicKey)
        }
        let path = NSTemporaryDirectory() + "gx-audit-\(UUID().uuidString).ndjson"
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw CLIError("cannot create a temporary file")
        }
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await client.download("/v1/audit/export", into: handle)
        try handle.close()
        return try verify(exportFile: path, hubKey: key)
    }

    /// Calls `body` with each line (without its newline) until it returns false; reads in 1 MiB chunks.
    static func forEachLine(of path: String, _ body: (Int, ArraySlice<UInt8>) throws -> Bool) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw CLIError("cannot read \(path)") }
        defer { try? handle.close() }
        var pending: [UInt8] = []
        var number = 0
        while true {
            let chunk = handle.readData(ofLength: 1 << 20)
            if chunk.isEmpty { break }
            pending.append(contentsOf: chunk)
            var start = pending.startIndex
            while let newline = pending[start...].firstIndex(of: 0x0A) {
                number += 1
                if !(try body(number, pending[start..<newline])) { return }
                start = newline + 1
            }
            pending.removeSubrange(..<start)
        }
        if !pending.isEmpty {
            number += 1
            _ = try body(number, pending[...])
        }
    }
}
