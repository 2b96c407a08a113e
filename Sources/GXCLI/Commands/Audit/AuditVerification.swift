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
        var brokenAt: Int64?
        var breakKind: String?
        var message: String?

        init(_ report: AuditChainVerifier.Report) {
            intact = report.isIntact
            entries = report.entriesChecked
            checkpoints = report.checkpointsChecked
            headSeq = report.lastSeq
            headHash = report.headHash
            coveredBySeq = report.coveredBySeq
            brokenAt = report.firstBreak?.seq
            breakKind = report.firstBreak?.kind.rawValue
            message = report.firstBreak?.message
        }

        enum CodingKeys: String, CodingKey {
            case intact, entries, checkpoints, headSeq = "head_seq", headHash = "head_hash", coveredBySeq = "covered_by_seq"
            case brokenAt = "broken_at", breakKind = "break_kind", message
        }
    }

    /// Two passes over the file: checkpoints first (they close the export), then the entries in order.
    static func verify(exportFile path: String, hubKey: SM2PublicKey) throws -> AuditChainVerifier.Report {
        let decoder = JSONDecoder()
        var checkpoints: [AuditCheckpoint] = []
        try forEachLine(of: path) { number, line in
            guard line.starts(with: Array(#"{"checkpoint""#.utf8)) else { return true }
            guard let checkpoint = try? decoder.decode(HubAPI.ExportLine.self, from: Data(line)).checkpoint else {
                throw CLIError("\(path):\(number): not a checkpoint line")
            }
            checkpoints.append(checkpoint)
            return true
        }
        var verifier = AuditChainVerifier(checkpoints: checkpoints, hubKey: hubKey)
        try forEachLine(of: path) { number, line in
            guard line.starts(with: Array(#"{"entry""#.utf8)) else { return true }
            guard let entry = try? decoder.decode(HubAPI.ExportLine.self, from: Data(line)).entry else {
                return verifier.fail(-1, .unreadable, "line \(number) is not a readable entry")
            }
            return verifier.check(entry)
        }
        return verifier.finish()
    }

    static func verify(store: any HubStore, hubKey: SM2PublicKey) async throws -> AuditChainVerifier.Report {
        var verifier = AuditChainVerifier(checkpoints: try await store.auditCheckpoints(), hubKey: hubKey)
        var after: Int64 = 0
        while true {
            let page = try await store.auditChain(afterSeq: after, limit: 5000)
            guard let last = page.last else { break }
            for entry in page where !verifier.check(entry) { return verifier.finish() }
            after = last.seq
        }
        return verifier.finish()
    }

    /// Downloads the export to a temporary file and verifies it; the key defaults to the one the hub states.
    static func verify(client: HubClient, hubKey: SM2PublicKey?) async throws -> AuditChainVerifier.Report {
        let key: SM2PublicKey
        if let hubKey { key = hubKey } else {
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
