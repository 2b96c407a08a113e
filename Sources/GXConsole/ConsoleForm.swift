import Foundation
import GXHub
import Hummingbird

/// The fields of a submitted form (`application/x-www-form-urlencoded`), bounded in size.
struct ConsoleForm: Sendable {
    var fields: [String: String] = [:]

    static let maximumSize = 64 * 1024

    subscript(_ name: String) -> String? { fields[name] }

    static func read(_ request: Request, context: HubRequestContext) async throws -> ConsoleForm {
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: maximumSize) } catch {
            throw ConsolePageError(.contentTooLarge, "error.too_large")
        }
        return parse(String(buffer: buffer))
    }

    static func parse(_ body: String) -> ConsoleForm {
        var form = ConsoleForm()
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String? { String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding }
            guard let name = parts.first.flatMap(decode), !name.isEmpty else { continue }
            let value = parts.count > 1 ? decode(parts[1]) ?? "" : ""
            if form.fields[name] == nil { form.fields[name] = value }
        }
        return form
    }
}
