import Foundation
import GXDomain
import Hummingbird

/// A request's query and path parameters, read strictly: a value is what the route expects or a 400 that
/// names the parameter. One rule for every route, so no route can let NaN, a negative count or a NUL byte
/// through to a `Duration`, a file name or the database.
struct QueryParameters {
    let request: Request
    let context: HubRequestContext

    init(_ request: Request, _ context: HubRequestContext) {
        self.request = request
        self.context = context
    }

    /// Longest text value accepted in a filter or path segment; identifiers are far shorter.
    static let maximumTextLength = 256

    /// The value of a query parameter once percent-decoded, refused when sent twice, undecodable, too long or
    /// holding control characters (a NUL cannot even be stored in PostgreSQL text).
    func text(_ name: String) throws -> String? {
        var values: [String] = []
        // Parsed here rather than by Hummingbird, which keeps a value it cannot decode as it was sent. A '+'
        // stays a '+' (RFC 3986), so `from=2026-12-04T08:00:00+08:00` means what it says.
        for pair in (request.uri.query ?? "").split(separator: "&") {
            let key = pair.prefix { $0 != "=" }
            guard String(key).removingPercentEncoding == name else { continue }
            guard let value = String(pair.dropFirst(key.count + 1)).removingPercentEncoding else {
                throw HubAPIError(.badRequest, "\(name) is not correctly percent-encoded UTF-8", field: name)
            }
            values.append(value)
        }
        guard let value = values.first else { return nil }
        guard values.count == 1 else { throw HubAPIError(.badRequest, "give \(name) at most once", field: name) }
        return try Self.checked(value, name)
    }

    /// A path parameter (`:id`, `:code`), percent-decoded and checked like a query value.
    func path(_ name: String) throws -> String {
        guard let raw = context.parameters.get(name) else {
            throw HubAPIError(.badRequest, "the path lacks \(name)", field: name)
        }
        guard let decoded = raw.removingPercentEncoding else {
            throw HubAPIError(.badRequest, "\(name) is not correctly percent-encoded", field: name)
        }
        return try Self.checked(decoded, name)
    }

    /// A whole number in `range`; absent, `defaultValue`. Only ASCII digits: no sign, space, or exponent.
    func integer(_ name: String, in range: ClosedRange<Int64>, default defaultValue: Int64) throws -> Int64 {
        guard let text = try text(name) else { return defaultValue }
        return try Self.integer(text, name, in: range)
    }

    /// A batch sequence in the path: a whole number from 1.
    func sequence(_ name: String) throws -> Int64 {
        try Self.integer(try path(name), name, in: 1...Int64.max)
    }

    /// Seconds as a decimal (`2`, `2.5`) in `range`; absent, `defaultValue`. NaN, infinities, exponents and
    /// hexadecimal floats are not decimals, so they never reach a `Duration`.
    func seconds(_ name: String, in range: ClosedRange<Double>, default defaultValue: Double) throws -> Double {
        guard let text = try text(name) else { return defaultValue }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && $0.count <= 9 && $0.utf8.allSatisfy(Self.isDigit) }),
              let value = Double(text), value.isFinite, range.contains(value) else {
            throw HubAPIError(.badRequest, "expected seconds from \(Self.plain(range.lowerBound)) to \(Self.plain(range.upperBound)), e.g. 10 or 2.5", field: name)
        }
        return value
    }

    /// An instant: RFC 3339 with any offset, or a bare date meaning that day's start in China Standard Time.
    func instant(_ name: String) throws -> Date? {
        guard let text = try text(name) else { return nil }
        guard let date = Timestamp.instant(from: text) else {
            throw HubAPIError(.badRequest, "expected an RFC 3339 time such as 2026-12-04T08:00:00+08:00, or a date 2026-12-04 (00:00 China Standard Time)", field: name)
        }
        return date
    }

    /// An inclusive upper bound, written as for `instant`: the last millisecond it covers, so a date covers that
    /// whole day in China Standard Time and a whole second that second (`Timestamp.lastInstant(through:)`).
    func lastInstant(_ name: String) throws -> Date? {
        guard let text = try text(name) else { return nil }
        guard let date = Timestamp.lastInstant(through: text) else {
            throw HubAPIError(.badRequest, "expected an RFC 3339 time such as 2026-12-04T08:00:00+08:00, or a date 2026-12-04 (the whole day, China Standard Time)", field: name)
        }
        return date
    }

    static func integer(_ text: String, _ name: String, in range: ClosedRange<Int64>) throws -> Int64 {
        let upper = range.upperBound == .max ? "" : " to \(range.upperBound)"
        guard !text.isEmpty, text.utf8.count <= 19, text.utf8.allSatisfy(isDigit), let value = Int64(text), range.contains(value) else {
            throw HubAPIError(.badRequest, "expected a whole number from \(range.lowerBound)\(upper)", field: name)
        }
        return value
    }

    static func checked(_ value: String, _ name: String) throws -> String {
        guard value.utf8.count <= maximumTextLength else {
            throw HubAPIError(.badRequest, "\(name) is longer than \(maximumTextLength) bytes", field: name)
        }
        guard !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw HubAPIError(.badRequest, "\(name) contains a control character", field: name)
        }
        return value
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    static func plain(_ value: Double) -> String {
        value == value.rounded() ? String(Int64(value)) : String(value)
    }
}
