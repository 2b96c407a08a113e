import Foundation
import GXDomain
import GXStorage
import HTTPTypes
import Hummingbird

/// The audit export: every entry a search matches, streamed page by page so the chain is never held in memory.
///
/// Unfiltered, it is the whole chain: NDJSON that `gx audit verify --file` checks with only the hub's public key.
/// Filtered, it is a selection and says so wherever a reader looks first — the `Gx-Audit-Selection` response
/// header, the file name, the NDJSON header's `selection` and the CSV's first line — so nobody takes it for the
/// whole chain; `gx audit verify` reports such a file as a selection, never as intact.
public enum AuditExport {
    public enum Format: Sendable { case ndjson, csv }

    /// The response header naming a selection's filters (`agency=…&resource=…`); absent for the whole chain.
    public static let selectionHeader = "Gx-Audit-Selection"

    public static func line(_ line: HubAPI.ExportLine) throws -> [UInt8] {
        var bytes = [UInt8](try JSONResponse.encoder.encode(line))
        bytes.append(0x0A)
        return bytes
    }

    /// The filters of `query`, or nil when it selects the whole chain.
    public static func selection(_ query: AuditQuery) -> [String: String]? {
        let filters = query.filters
        return filters.isEmpty ? nil : Dictionary(uniqueKeysWithValues: filters.map { ($0.name, $0.value) })
    }

    public static func response(store: any HubStore, query: AuditQuery, hubKey: String, format: Format) -> Response {
        var start = query
        start.afterSeq = 0
        start.limit = AuditQuery.maximumLimit
        let search = start
        let selection = selection(search)
        var headers = HTTPFields()
        headers[.contentType] = format == .csv ? "text/csv; charset=utf-8" : "application/x-ndjson"
        let name = (selection == nil ? "audit" : "audit-selection") + (format == .csv ? ".csv" : ".ndjson")
        headers[.contentDisposition] = "attachment; filename=\"\(name)\""
        if let selection {
            headers[HTTPField.Name(selectionHeader)!] = describe(selection)
        }
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            switch format {
            case .ndjson:
                try await writer.write(ByteBuffer(bytes: try line(.init(type: .header, hubPublicKey: hubKey, selection: selection))))
            case .csv:
                // A byte-order mark, so spreadsheet programs read the Chinese as UTF-8.
                var head = "\u{FEFF}"
                if let selection {
                    head += csvField("# selection of the audit log (not the whole chain): \(describe(selection))") + "\r\n"
                }
                head += "seq,time,actor,action,subject,agreement,agencies,details,prev_hash,hash\r\n"
                try await writer.write(ByteBuffer(string: head))
            }
            var query = search
            while true {
                let entries = try await store.auditEntries(matching: query)
                guard let last = entries.last else { break }
                var buffer = ByteBuffer()
                for entry in entries {
                    switch format {
                    case .ndjson: buffer.writeBytes(try line(.init(type: .entry, entry: entry)))
                    case .csv: buffer.writeString(csvLine(entry))
                    }
                }
                try await writer.write(buffer)
                if entries.count < query.limit { break }
                query.afterSeq = last.seq
            }
            if format == .ndjson {
                var buffer = ByteBuffer()
                for checkpoint in try await store.auditCheckpoints() {
                    buffer.writeBytes(try line(.init(type: .checkpoint, checkpoint: checkpoint)))
                }
                try await writer.write(buffer)
            }
            try await writer.finish(nil)
        })
    }

    /// `agency=…&resource=…`, in the order the API names them, values percent-encoded.
    public static func describe(_ selection: [String: String]) -> String {
        let order = ["agency", "agreement", "resource", "action", "actor", "from", "until"]
        return selection.sorted { (order.firstIndex(of: $0.key) ?? order.count, $0.key) < (order.firstIndex(of: $1.key) ?? order.count, $1.key) }
            .map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .urlQueryValueAllowed) ?? $0.value)" }
            .joined(separator: "&")
    }

    public static func csvLine(_ entry: AuditEntry) -> String {
        let fields = [String(entry.seq), entry.time, entry.actor, entry.action, entry.subject, entry.agreement ?? "",
                      entry.agencies.joined(separator: " "), CanonicalJSON.object(entry.details).canonicalString, entry.prevHash, entry.hash]
        return fields.map(csvField).joined(separator: ",") + "\r\n"
    }

    /// Quotes a field when needed; a field a spreadsheet would take for a formula is prefixed with `'`.
    public static func csvField(_ value: String) -> String {
        var value = value
        if let first = value.first, "=+-@\t\r".contains(first) { value = "'" + value }
        guard value.contains(where: { ",\"\r\n".contains($0) }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

extension CharacterSet {
    /// Unreserved characters of RFC 3986: a value so encoded survives any query string.
    static let urlQueryValueAllowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:")
}
