import ArgumentParser
import GXDomain

struct CatalogueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catalogue", abstract: "Publish and browse the resource catalogue (信息资源目录).",
        subcommands: [Publish.self, List.self, Show.self])

    struct Publish: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Publish catalogue entries from TOML files (Catalogue/*.toml); admin.")
        @OptionGroup var connection: HubConnectionOptions
        @Argument(help: "Catalogue entry files.") var files: [String]

        func run() async throws {
            let client = try connection.client()
            for file in files {
                let entry = try TOMLDocument.decode(CatalogueEntry.self, from: try SecretFile.read(file), source: file) { entry throws(InvalidInput) in
                    try entry.validated()
                }
                let published: CatalogueEntry = try await client.post("/v1/catalogue", entry)
                print("\(published.resourceCode) \(published.name) v\(published.schemaVersion): published (\(published.items.count) items)")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List catalogue entries (latest schema version of each).")
        @OptionGroup var connection: HubConnectionOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let entries: [CatalogueEntry] = try await connection.client().get("/v1/catalogue")
            if output.json { return try JSONOutput.print(entries) }
            var table = TextTable("RESOURCE", "NAME", "PROVIDER", "VERSION", "SHARING", "CYCLE", "ITEMS", "HIGHEST LEVEL")
            for e in entries {
                let highest = e.items.compactMap(\.level).max { $0.grade < $1.grade }
                table.add(e.resourceCode, e.name, e.provider, e.schemaVersion, e.sharingType.rawValue, e.updateCycle.rawValue, String(e.items.count),
                          highest.map { $0.grade.rawValue } ?? "-")
            }
            print(table.render())
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one entry with its items.")
        @OptionGroup var connection: HubConnectionOptions
        @OptionGroup var output: OutputOptions
        @Argument var code: String
        @Option(help: "Schema version (default: latest).") var version: String?

        func run() async throws {
            let path = "/v1/catalogue/\(code.urlPathEscaped)" + (version.map { "?version=\($0.urlQueryEscaped)" } ?? "")
            let e: CatalogueEntry = try await connection.client().get(path)
            if output.json { return try JSONOutput.print(e) }
            print("\(e.resourceCode)  \(e.name)  v\(e.schemaVersion)")
            print("provider \(e.provider) · \(e.sharingType.rawValue) · \(e.updateCycle.rawValue) · published \(e.publishedOn)")
            if let basis = e.sharingBasis { print("basis: \(basis)") }
            if !e.summary.isEmpty { print(e.summary) }
            var table = TextTable("ITEM", "TYPE", "LENGTH", "REQUIRED", "KEY", "STANDARD", "LEVEL")
            for item in e.items {
                table.add(item.name, item.codeTable.map { "code(\($0.name))" } ?? item.type.rawValue, item.length.map(String.init) ?? "",
                          item.required ? "yes" : "", item.key ? "key" : "", item.identifier?.rawValue ?? "", item.level?.description ?? "-")
            }
            print(table.render())
        }
    }
}
