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
            validity ends and is superseded when an amendment naming it in `supersedes` becomes active. \
            `amend` proposes new items, validity, frequency or duties of a filed agreement as a new revision: \
            `sign` (consumer, then provider) and `file` then act on that revision, and the terms in force change \
            only when it is filed.
            """,
        subcommands: [Import.self, Sign.self, File.self, Activate.self, Suspend.self, Resume.self, Revoke.self, Amend.self,
                      WithdrawAmendment.self, Show.self, List.self, Expire.self])

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
            // A filed agreement with an amendment pending: the signature is for the amendment's terms.
            if view.agreement.awaitedSigner == nil, let amendment = view.agreement.amendment {
                let bytes = amendment.terms.canonicalBytes
                guard String(decoding: bytes, as: UTF8.self) == view.canonicalAmendmentTerms else {
                    throw CLIError("the hub's canonical amendment terms differ from the amendment's content; refusing to sign")
                }
                let signature = try SM2PrivateKey(pem: try SecretFile.read(key)).signature(for: bytes)
                let signed: HubAPI.AgreementView = try await client.post("/v1/agreements/\(id.urlPathEscaped)/amendment/signatures",
                                                                          HubAPI.Sign(signature: Data(signature).base64EncodedString()))
                print("\(id): amendment \(amendment.number) \(signed.agreement.amendment?.state.rawValue ?? "-") (content \(amendment.terms.contentDigest.hex.prefix(16))…)")
                return
            }
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
            abstract: "File (备案) a signed agreement, or its signed amendment; admin. It becomes active once its validity begins.",
            discussion: """
            An agreement sharing items above 一般 (GB/T 43697-2024) is filed only when --acknowledge-levels names exactly \
            their levels; so is an amendment whose items (added or kept) include any above 一般: name the levels of the \
            amendment's items, e.g. --acknowledge-levels 重要 when it adds 住址 (重要).
            """)
        @OptionGroup var connection: HubConnectionOptions
        @Argument var id: String
        @Option(name: .customLong("acknowledge-levels"), help: "The data levels above 一般 the agreement shares, comma-separated (重要,核心).")
        var acknowledgeLevels: String?
        @Option(help: "A note kept in the filing's audit entry.") var reason: String?

        func run() async throws {
            let client = try connection.client()
            let current: HubAPI.AgreementView = try await client.get("/v1/agreements/\(id.urlPathEscaped)")
            let levels = acknowledgeLevels.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
            if current.agreement.state != .signedByProvider, current.agreement.amendment != nil {
                let view: HubAPI.AgreementView = try await client.post("/v1/agreements/\(id.urlPathEscaped)/amendment/filing",
                                                                       HubAPI.Filing(reason: reason, acknowledgedLevels: levels))
                print("\(id): \(view.agreement.state.rawValue), amendment \(view.agreement.terms.amendment ?? 0) in force (content \(view.contentDigest.prefix(16))…)")
                return
            }
            let view: HubAPI.AgreementView = try await client.post("/v1/agreements/\(id.urlPathEscaped)/filing",
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

    struct Amend: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Propose an amendment of a filed agreement: items, validity, frequency or duties; admin or a party.",
            discussion: """
                The proposal is a new revision of the terms; what is not given stays as filed. Both parties then sign it \
                (`gx agreement sign ID`, consumer first) and the authority files it (`gx agreement file ID`); the terms \
                in force stay until then, and the next batch after filing is delivered with the new items.
                """)
        @OptionGroup var connection: HubConnectionOptions
        @Argument var id: String
        @Option(name: .customLong("add-item"), help: "An item to add (repeat for each).") var addItems: [String] = []
        @Option(name: .customLong("remove-item"), help: "An item to remove (repeat for each).") var removeItems: [String] = []
        @Option(name: .customLong("from"), help: "New first day, YYYY-MM-DD.") var validFrom: String?
        @Option(name: .customLong("until"), help: "New last day, YYYY-MM-DD.") var validUntil: String?
        @Option(help: "New frequency: 实时, 每日, 每周, 每月, 每季度 or 每年.") var frequency: String?
        @Option(name: .customLong("provision"), help: "New duty of provision.") var provision: String?
        @Option(name: .customLong("use"), help: "New duty of use.") var use: String?
        @Option(name: .customLong("disposal"), help: "New duty of disposal.") var disposal: String?
        @Option(name: .customLong("security"), help: "New duty of security.") var security: String?
        @Option(help: "Why (recorded in the audit log).") var reason: String

        func run() async throws {
            let client = try connection.client()
            let current: HubAPI.AgreementView = try await client.get("/v1/agreements/\(id.urlPathEscaped)")
            let terms = current.agreement.terms
            var body = HubAPI.Amend(reason: reason)
            if !addItems.isEmpty || !removeItems.isEmpty {
                body.items = terms.items.filter { !removeItems.contains($0) } + addItems.filter { !terms.items.contains($0) }
            }
            func date(_ text: String?, _ option: String) throws -> CalendarDate? {
                guard let text else { return nil }
                guard let day = CalendarDate(text) else { throw CLIError("--\(option): expected a date YYYY-MM-DD, got '\(text)'") }
                return day
            }
            body.validFrom = try date(validFrom, "from")
            body.validUntil = try date(validUntil, "until")
            if let frequency {
                guard let cycle = UpdateCycle(rawValue: frequency) else {
                    throw CLIError("--frequency: expected one of \(UpdateCycle.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                body.frequency = cycle
            }
            if provision != nil || use != nil || disposal != nil || security != nil {
                body.duties = AgreementDuties(provision: provision ?? terms.duties.provision, use: use ?? terms.duties.use,
                                              disposal: disposal ?? terms.duties.disposal, security: security ?? terms.duties.security)
            }
            let view: HubAPI.AgreementView = try await client.post("/v1/agreements/\(id.urlPathEscaped)/amendment", body)
            guard let amendment = view.agreement.amendment else { throw CLIError("the hub answered without the amendment") }
            print("\(id): amendment \(amendment.number) proposed, awaiting \(amendment.awaitedSigner ?? "-") (content \(amendment.terms.contentDigest.hex.prefix(16))…)")
            print("items: \(amendment.terms.items.joined(separator: "、"))")
        }
    }

    struct WithdrawAmendment: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "withdraw-amendment",
                                                        abstract: "Withdraw an agreement's pending amendment; admin or a party.")
        @OptionGroup var connection: HubConnectionOptions
        @Argument var id: String
        @Option(help: "Why (recorded in the audit log).") var reason: String
        func run() async throws {
            let _: HubAPI.AgreementView = try await connection.client().post("/v1/agreements/\(id.urlPathEscaped)/amendment/withdrawal",
                                                                             HubAPI.Reason(reason: reason))
            print("\(id): amendment withdrawn")
        }
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
            if let demand = t.demand { print("from demand: \(demand)") }
            if let amendment = a.amendment {
                print("amendment \(amendment.number) pending [\(amendment.state.rawValue)], proposed by \(amendment.proposedBy) at \(amendment.proposedAt): \(amendment.reason)")
                print("  items: \(amendment.terms.items.joined(separator: "、"))")
                print("  \(amendment.terms.frequency.rawValue), valid \(amendment.terms.validFrom) to \(amendment.terms.validUntil)")
                print("  consumer signature: \(amendment.consumerSignature.map { "\($0.signer) at \($0.signedAt)" } ?? "-")")
                print("  provider signature: \(amendment.providerSignature.map { "\($0.signer) at \($0.signedAt)" } ?? "-")")
            }
            print("history:")
            for revision in a.history {
                print("  revision \(revision.number)\(revision.supersededAt.map { ", superseded \($0)" } ?? ", in force"): content \(revision.terms.contentDigest.hex.prefix(16))…, \(revision.terms.items.count) items")
                print("    signed by \(revision.consumerSignature.map { "\($0.signer) at \($0.signedAt)" } ?? "-") and \(revision.providerSignature.map { "\($0.signer) at \($0.signedAt)" } ?? "-"); filed by \(revision.filing.map { "\($0.filedBy) at \($0.filedAt)" } ?? "-")")
            }
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
