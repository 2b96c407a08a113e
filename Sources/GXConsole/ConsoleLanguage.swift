import Foundation
import Hummingbird

/// The console's languages: Chinese (zh-CN) for the civil servants who use it, English when the browser
/// prefers it. Each language's strings are one file in Templates/ (`strings.zh-CN.json`, `strings.en.json`).
enum ConsoleLanguage: String, Sendable, CaseIterable {
    case chinese = "zh-CN"
    case english = "en"

    /// The first of the browser's languages, by quality, that the console speaks; Chinese otherwise.
    static func preferred(by acceptLanguage: String?) -> ConsoleLanguage {
        guard let header = acceptLanguage, !header.isEmpty else { return .chinese }
        var ranked: [(tag: String, quality: Double, order: Int)] = []
        for (order, part) in header.split(separator: ",").prefix(20).enumerated() {
            let fields = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = fields.first?.lowercased(), !tag.isEmpty else { continue }
            var quality = 1.0
            for field in fields.dropFirst() where field.hasPrefix("q=") { quality = Double(field.dropFirst(2)) ?? 0 }
            ranked.append((tag, quality, order))
        }
        for entry in ranked.sorted(by: { $0.quality != $1.quality ? $0.quality > $1.quality : $0.order < $1.order }) where entry.quality > 0 {
            if entry.tag == "zh" || entry.tag.hasPrefix("zh-") { return .chinese }
            if entry.tag == "en" || entry.tag.hasPrefix("en-") { return .english }
        }
        return .chinese
    }

    static func of(_ request: Request) -> ConsoleLanguage { preferred(by: request.headers[.acceptLanguage]) }
}
