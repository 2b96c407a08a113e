import ArgumentParser
import Foundation
import GXCrypto
import GXDomain
import GXHub

struct AgreementCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agreement", abstract: "Take sharing agreements (共享协议) from draft to filed, and manage them.",
        discussion: """
            Life of an agreement: import (draft) → sign by the consumer → sign by the provider → file by the \
            authority (备案; active once its validity begins) → suspend / resume → revoke; it expires when its \
            validity ends and is superseded when an amendment naming it in `supersedes` becomes active.
            """,
        subcommands: [Import.self, Sign.self, File.self, Activate.self, Suspend.self, Resume.self, Revoke.self, Show.self, List.self, Expire.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register agreements from TOML files (Agreements/*.toml) as drafts; admin.")
        @OptionGroup var connection: HubConnectionOptions
        @Argument(help: "Agreement files.") var files: [String]

        func run() async throws {
            let client = try connection.client()
            for file in files {
                let text = try SecretFile.read(file)
                var terms = try TOMLDocument.decode(AgreementTerms.self, from: text, source: file)
                if terms.masks != nil {
                    // Masks are checked against the items' types here too, so a refusal names the file's line.
                    let entry: CatalogueEntry = try await client.get("/v1/catalogue/\(terms.resourceCode.urlPathEscaped)?version=\(terms.schemaVersion.urlQueryEscaped)")
                    terms = try TOMLDocument.decode(AgreementTerms.self, from: text, source: file) { terms throws(InvalidInput) in
                        try terms.checkedMasks(against: entry)
                    }
                }
                let view: HubAPI.AgreementView = try await client.post("/v1/agreements", terms)
                print("\(view.agreement.id): imported as draft (content \(view.contentDigest.prefix(16))…)")
            }
        }
    }

    struct Sign: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sign an agreement as the calling agency, with its SM2 private key.",
            discussion: "The canonical terms are rebuilt locally from the agreement and signed here; the key never leaves this machine.")
        @OptionGroup var connection: HubConnectionOptions
        @Argument var id: String
        @Option(help: "The agency's SM2 private key (PEM).") var key: String

        func run() async throws {
            let client = try connection.client()
            let view: HubAPI.AgreementView = try await client.get("/v1/agreements/\(id.urlPathEscaped)")
            let bytes = view.agreement.terms.canonicalBytes
            guard String(decoding: bytes, as: UTF8.self) == view.canonicalTerms else {
                throw CLIError("the hub's canonical terms differ from the agreement's content; refusing to sign")
            }
            let signature = try SM2PrivateKey(pem: try SecretFile.read(key)).signature(for: bytes)
            let signed: HubAPI.AgreementView = try await client.post("/v1/agreements/\(id.urlPathEscaped)/signatures",
                                                                      HubAPI.Sign(signature: Data(signature).base64EncodedString()))
            print("\(id): \(signed.agreement.state.rawValue) (content \(signed.contentDigest.prefix(16))…)")
        }
    }

    struct File: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "File (备案) a signed agreement; admin. It becomes active once its validity begins.",
            discussion: "An agreement sharing items above 一般 (GB/T 43697-2024) is filed only when --acknowledge-levels names exactly their levels.")
        @OptionGroup var connection: HubConnectionOptions
        @Argument var id: String
        @Option(name: .customLong("acknowledge-levels"), help: "The data levels above 一般 the agreement shares, comma-separated (重要,核心).")
        var acknowledgeLevels: String?
        @Option(help: "A note kept in the filing's audit entry.") var reason: String?

        func run() async throws {
            let levels = acknowledgeLevels.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
            let view: HubAPI.AgreementView = try await connection.client().post("/v1/agreements/\(id.urlPathEscaped)/filing",
                                                                                HubAPI.Filing(reason: reason, acknowledgedLevels: levels))
            print("\(id): \(view.agreement.state.rawValue)")
        }
    }

    struct Activate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Activate a filed agreement whose validity has begun; admin.")
        @OptionGroup var connection: HubConnectionOptions
        @Argument var id: String

        func run() async throws {
            let view: HubAPI.AgreementView = try await connection.client().post("/v1/agreements/\(id.urlPathEscaped)/activation", [String: String]())
            print("\(id): \(view.agreement.state.rawValue)")
        }
    }

    struct Suspend: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Suspend an active agreement; admin.")
        @OptionGroup var connection: HubConnectionOptions
        @Argument var id: String
        @Option(help: "Why (recorded in the audit log).") var reason: String
        func run() async throws { try await act(connection, id, "suspension", reason) }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resume a suspended agreement; admin.")
        @OptionGroup var connection: HubConnectionOptions
        @Argument var id: String
        @Option(help: "Why (recorded in the audit log).") var reason: String
        func run() async throws { try await act(connection, id, "resumption", reason) }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke an agreement for good; admin.")
        @OptionGroup var connection: HubConnectionOptions
        @Argument var id: String
        @Option(help: "Why (recorded in the audit log).") var reason: String
        func run() async throws { try await act(connection, id, "revocation", reason) }
    }

    struct Expire: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Expire agreements whose validity has ended now, rather than at the hub's next sweep; admin.")
        @OptionGroup var connection: HubConnectionOptions
        func run() async throws {
            let ids: [String] = try await connection.client().post("/v1/agreements/expiry", [String: String]())
            print(ids.isEmpty ? "no agreement was due to expire" : "expired: \(ids.joined(separator: ", "))")
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show an agreement, its signatures and state.")
        @OptionGroup var connection: HubConnectionOptions
        @OptionGroup var output: OutputOptions
        @Argument var id: String

        func run() async throws {
            let view: HubAPI.AgreementView = try await connection.client().get("/v1/agreements/\(id.urlPathEscaped)")
            if output.json { return try JSONOutput.print(view) }
            let a = view.agreement, t = a.terms
            print("\(t.id)  [\(a.state.rawValue)]")
            print("provider \(t.provider) → consumer \(t.consumer)")
            print("resource \(t.resourceCode) v\(t.schemaVersion), \(t.method.rawValue), \(t.frequency.rawValue), valid \(t.validFrom) to \(t.validUntil)")
            print("items: \(t.items.joined(separator: "、"))")
            print("purpose: \(t.purpose)")
            if let basis = t.basis { print("basis: \(basis)") }
            print("content SM3: \(view.contentDigest)")
            print("consumer signature: \(a.consumerSignature.map { "\($0.signer) at \($0.signedAt)" } ?? "-")")
            print("provider signature: \(a.providerSignature.map { "\($0.signer) at \($0.signedAt)" } ?? "-")")
            print("filing: \(a.filing.map { "\($0.filedBy) at \($0.filedAt)" + ($0.acknowledgedLevels.map { ", acknowledging \($0.joined(separator: ","))" } ?? "") } ?? "-")")
            if let reason = a.stateReason { print("reason: \(reason)") }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List agreements (an agency sees only its own).")
        @OptionGroup var connection: HubConnectionOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "Only this state.") var state: String?
        @Option(help: "Only this resource.") var resource: String?

        func run() async throws {
            var query: [String] = []
            if let state { query.append("state=\(state.urlQueryEscaped)") }
            if let resource { query.append("resource=\(resource.urlQueryEscaped)") }
            let agreements: [SharingAgreement] = try await connection.client().get("/v1/agreements" + (query.isEmpty ? "" : "?" + query.joined(separator: "&")))
            if output.json { return try JSONOutput.print(agreements) }
            var table = TextTable("ID", "STATE", "RESOURCE", "PROVIDER", "CONSUMER", "VALID UNTIL")
            for a in agreements {
                table.add(a.id, a.state.rawValue, a.terms.resourceCode, a.terms.provider, a.terms.consumer, a.terms.validUntil.description)
            }
            print(table.render())
        }
    }
}

private func act(_ connection: HubConnectionOptions, _ id: String, _ path: String, _ reason: String) async throws {
    let view: HubAPI.AgreementView = try await connection.client().post("/v1/agreements/\(id.urlPathEscaped)/\(path)", HubAPI.Reason(reason: reason))
    print("\(id): \(view.agreement.state.rawValue)")
}
