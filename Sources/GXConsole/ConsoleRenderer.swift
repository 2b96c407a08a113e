import Foundation
import Mustache

/// Renders the console's pages from the Mustache templates compiled into the binary (Templates/, embedded
/// by the package manifest), so `gx` needs no files beside it. Every `{{value}}` is HTML-escaped; the only
/// unescaped insertions are the page body and charts the console itself rendered.
/// Immutable once made (the nested strings are plain dictionaries of strings), so safe to share.
struct ConsoleRenderer: @unchecked Sendable {
    let library: MustacheLibrary
    let strings: [ConsoleLanguage: [String: String]]
    /// The same strings nested by their dotted keys, as templates name them (`{{t.signin.title}}`).
    let nested: [ConsoleLanguage: [String: Any]]
    let stylesheet: [UInt8]

    /// The page templates, by name.
    static let templates: [String: [UInt8]] = [
        "layout": PackageResources.layout_mustache,
        "sign-in": PackageResources.sign_in_mustache,
        "error": PackageResources.error_mustache,
        "overview": PackageResources.overview_mustache,
        "agencies": PackageResources.agencies_mustache,
        "catalogue": PackageResources.catalogue_mustache,
        "agreements": PackageResources.agreements_mustache,
        "agreement": PackageResources.agreement_mustache,
        "act": PackageResources.act_mustache,
        "agency-home": PackageResources.agency_home_mustache,
        "audit": PackageResources.audit_mustache,
        "audit-verify": PackageResources.audit_verify_mustache,
        "exchange": PackageResources.exchange_mustache,
        "verification": PackageResources.verification_mustache,
        "demands": PackageResources.demands_mustache,
        "demand": PackageResources.demand_mustache,
        "objections": PackageResources.objections_mustache,
        "objection-raise": PackageResources.objection_raise_mustache,
        "objection-answer": PackageResources.objection_answer_mustache,
        "compliance": PackageResources.compliance_mustache,
        "statistics": PackageResources.statistics_mustache,
    ]

    init() throws {
        var library = MustacheLibrary()
        for (name, bytes) in Self.templates {
            try library.register(String(decoding: bytes, as: UTF8.self), named: name)
        }
        self.library = library
        strings = [
            .chinese: try JSONDecoder().decode([String: String].self, from: Data(PackageResources.strings_zh_CN_json)),
            .english: try JSONDecoder().decode([String: String].self, from: Data(PackageResources.strings_en_json)),
        ]
        nested = strings.mapValues(Self.nest)
        stylesheet = PackageResources.console_css
    }

    static func nest(_ flat: [String: String]) -> [String: Any] {
        var root: [String: Any] = [:]
        func insert(_ path: ArraySlice<Substring>, _ value: String, into node: inout [String: Any]) {
            guard let head = path.first.map(String.init) else { return }
            if path.count == 1 { if node[head] == nil { node[head] = value }; return }
            var child = node[head] as? [String: Any] ?? [:]
            insert(path.dropFirst(), value, into: &child)
            node[head] = child
        }
        for (key, value) in flat { insert(ArraySlice(key.split(separator: ".")), value, into: &root) }
        return root
    }

    func text(_ key: String, _ language: ConsoleLanguage) -> String {
        strings[language]?[key] ?? strings[.chinese]?[key] ?? key
    }

    /// A page: its template rendered with `values` (plus the language's strings as `t`), inside the layout.
    func page(_ template: String, title: String, values: [String: Any], language: ConsoleLanguage, chrome: [String: Any]) -> String {
        let t = nested[language] ?? [:]
        var context = values
        context["t"] = t
        let body = library.render(context, withTemplate: template) ?? ""
        var layout = chrome
        layout["t"] = t
        layout["lang"] = language.rawValue
        layout["title"] = title
        layout["body"] = body
        return library.render(layout, withTemplate: "layout") ?? body
    }
}
