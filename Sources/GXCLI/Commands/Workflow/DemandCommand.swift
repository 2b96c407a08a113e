import ArgumentParser
import Foundation
import GXDomain
import GXHub

struct DemandCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demand", abstract: "Ask for a catalogued resource (共享需求) and answer such requests.",
        discussion: """
            Life of a demand: the consumer agency submits it (submit) → the authority reviews it within 2 \
            working days (review take|grant|forward|refuse) → for 有条件共享 the provider replies within 10 \
            working days (reply accept|accept-fewer|refuse). A 不予共享 resource is refused at once, naming the \
            catalogue's basis. A granted demand becomes a draft agreement (`gx demand terms ID` shows its TOML); \
            then both parties `gx agreement sign` it and the authority files it. The consumer may withdraw an \
            undecided demand. Working days skip weekends and public holidays and count 调休 working weekends.

            Example demand file (gx demand submit demand.toml):

              resource = "RK-001"
              items = ["公民身份号码", "姓名", "出生日期", "人员状态代码"]
              purpose = "社会保险待遇领取资格认证。"
              basis = "《中华人民共和国社会保险法》第七十四条"
              frequency = "每日"            # optional: the resource's update cycle
              method = "pull"              # optional: pull (default) or push
              valid_from = "2026-01-01"
              valid_until = "2028-12-31"
            """,
        subcommands: [Submit.self, List.self, Show.self, Withdraw.self, Review.self, Reply.self, Terms.self])

    struct Submit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Submit a demand as the calling consumer agency, from a TOML file or from flags.",
            discussion: "Key items of the resource are added if left out. See `gx demand --help` for the file's form and `gx catalogue show CODE` for a resource's items.")
        @OptionGroup var connection: HubConnectionOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "A demand file (TOML). Leave out to give the demand with the flags below.") var file: String?
        @Option(help: "Resource code, e.g. RK-001.") var resource: String?
        @Option(name: .customLong("item"), help: "An item wanted (repeat for each).") var items: [String] = []
        @Option(help: "What the data will be used for.") var purpose: String?
        @Option(help: "Legal or policy basis (依据); required for 有条件共享.") var basis: String?
        @Option(help: "实时, 每日, 每周, 每月, 每季度 or 每年 (default: the resource's update cycle).") var frequency: String?
        @Option(help: "pull (default) or push.") var method: String?
        @Option(name: .customLong("from"), help: "First day wanted, YYYY-MM-DD.") var validFrom: String?
        @Option(name: .customLong("until"), help: "Last day wanted, YYYY-MM-DD.") var validUntil: String?

        func request() throws -> DemandRequest {
            if let file {
                guard resource == nil, items.isEmpty, purpose == nil, basis == nil, validFrom == nil, validUntil == nil else {
                    throw ValidationError("give the demand either as a file or with flags, not both")
                }
                return try TOMLDocument.decode(DemandRequest.self, from: try SecretFile.read(file), source: file)
            }
            guard let resource else { throw ValidationError("--resource is required (or give a demand file)") }
            guard !items.isEmpty else { throw ValidationError("name the items wanted with --item (repeat it)") }
            guard let purpose else { throw ValidationError("--purpose is required") }
            guard let from = validFrom.flatMap(CalendarDate.init) else { throw ValidationError("--from YYYY-MM-DD is required") }
            guard let until = validUntil.flatMap(CalendarDate.init) else { throw ValidationError("--until YYYY-MM-DD is required") }
            var frequencyValue: UpdateCycle?
            if let frequency {
                guard let parsed = UpdateCycle(rawValue: frequency) else {
                    throw ValidationError("--frequency must be one of \(UpdateCycle.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                frequencyValue = parsed
            }
            var methodValue: DeliveryMethod?
            if let method {
                guard let parsed = DeliveryMethod(rawValue: method) else { throw ValidationError("--method must be pull or push") }
                methodValue = parsed
            }
            return DemandRequest(resourceCode: resource, items: items, purpose: purpose, basis: basis, frequency: frequencyValue,
                                 method: methodValue, validFrom: from, validUntil: until)
        }

        func run() async throws {
            let view: HubAPI.DemandView = try await connection.client().post("/v1/demands", try request())
            if output.json { return try JSONOutput.print(view) }
            printSummary(view)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List demands (an agency sees only those it is party to).")
        @OptionGroup var connection: HubConnectionOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "Only this state: submitted, under_review, forwarded, granted, partially_granted, refused, withdrawn.") var state: String?
        @Option(help: "Only this resource.") var resource: String?
        @Flag(help: "Only undecided demands past their time limit.") var overdue = false

        func run() async throws {
            var query: [String] = []
            if let state { query.append("state=\(state.urlQueryEscaped)") }
            if let resource { query.append("resource=\(resource.urlQueryEscaped)") }
            if overdue { query.append("overdue=true") }
            let views: [HubAPI.DemandView] = try await connection.client().get("/v1/demands" + (query.isEmpty ? "" : "?" + query.joined(separator: "&")))
            if output.json { return try JSONOutput.print(views) }
            var table = TextTable("ID", "STATE", "RESOURCE", "CONSUMER", "AWAITING", "DEADLINE", "AGREEMENT")
            for view in views {
                let d = view.demand
                table.add(d.id, d.state.rawValue, d.resourceCode, d.consumer, view.awaiting ?? "-",
                          (d.deadline.map(Self.beijing) ?? "-") + (view.overdue ? " OVERDUE" : ""), d.agreement ?? "-")
            }
            print(table.render())
        }

        static func beijing(_ timestamp: String) -> String {
            guard let date = Timestamp.date(from: timestamp) else { return timestamp }
            return "\(Timestamp.beijingDay(of: date.addingTimeInterval(-1)))"
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a demand: what was asked, who must act by when, the decisions and the agreement.")
        @OptionGroup var connection: HubConnectionOptions
        @OptionGroup var output: OutputOptions
        @Argument var id: String

        func run() async throws {
            let view: HubAPI.DemandView = try await connection.client().get("/v1/demands/\(id.urlPathEscaped)")
            if output.json { return try JSONOutput.print(view) }
            printSummary(view)
            let d = view.demand, r = d.request
            print("items: \(r.items.joined(separator: "、"))")
            print("purpose: \(r.purpose)")
            if let basis = r.basis { print("basis: \(basis)") }
            print("frequency \(r.frequency?.rawValue ?? "-"), \(r.method?.rawValue ?? "pull"), wanted \(r.validFrom) to \(r.validUntil)")
            print("submitted \(d.submittedAt)")
            if let review = d.review { print("review: \(review.decision.rawValue) by \(review.by ?? "-") at \(review.at ?? "-")\(review.reason.map { " — \($0)" } ?? "")") }
            if let reply = d.reply {
                print("reply: \(reply.decision.rawValue) by \(reply.by ?? "-") at \(reply.at ?? "-")\(reply.reason.map { " — \($0)" } ?? "")")
                for item in reply.refusedItems { print("  refused \(item.item): \(item.reason)") }
            }
        }
    }

    struct Withdraw: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Withdraw an undecided demand; the consumer that submitted it.")
        @OptionGroup var connection: HubConnectionOptions
        @Argument var id: String
        @Option(help: "Why (recorded in the audit log).") var reason: String?

        func run() async throws {
            let view: HubAPI.DemandView = try await connection.client().post("/v1/demands/\(id.urlPathEscaped)/withdraw", HubAPI.Withdraw(reason: reason))
            printSummary(view)
        }
    }

    struct Review: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The authority's review; admin.",
            discussion: """
                take: mark it under review. grant: 无条件共享 — granted, the hub draws up the draft agreement. \
                forward: 有条件共享 — to the provider, whose 10 working days start. refuse: with --reason.
                """)
        @OptionGroup var connection: HubConnectionOptions
        @Argument var id: String
        @Argument(help: "take, grant, forward or refuse.") var decision: String
        @Option(help: "Why (required to refuse; recorded in the audit log).") var reason: String?

        func run() async throws {
            guard let parsed = DemandReview.Decision(rawValue: decision) else {
                throw ValidationError("the decision is take, grant, forward or refuse; got '\(decision)'")
            }
            let view: HubAPI.DemandView = try await connection.client().post("/v1/demands/\(id.urlPathEscaped)/review",
                                                                               DemandReview(decision: parsed, reason: reason))
            printSummary(view)
        }
    }

    struct Reply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The provider's reply to a forwarded demand; the resource's provider.",
            discussion: """
                accept: all items. accept-fewer: name each item refused with --refuse-item "ITEM=REASON". \
                refuse: the whole demand, with --reason. An acceptance draws up the draft agreement.
                """)
        @OptionGroup var connection: HubConnectionOptions
        @Argument var id: String
        @Argument(help: "accept, accept-fewer or refuse.") var decision: String
        @Option(name: .customLong("refuse-item"), help: "ITEM=REASON, an item refused and why (repeat for each).") var refusedItems: [String] = []
        @Option(help: "Why (required to refuse).") var reason: String?

        func run() async throws {
            guard let parsed = DemandReply.Decision(rawValue: decision.replacingOccurrences(of: "-", with: "_")) else {
                throw ValidationError("the decision is accept, accept-fewer or refuse; got '\(decision)'")
            }
            let refused = try refusedItems.map { text -> DemandReply.RefusedItem in
                guard let equals = text.firstIndex(of: "=") else { throw ValidationError("--refuse-item takes ITEM=REASON, got '\(text)'") }
                return .init(item: String(text[..<equals]), reason: String(text[text.index(after: equals)...]))
            }
            let view: HubAPI.DemandView = try await connection.client().post("/v1/demands/\(id.urlPathEscaped)/reply",
                                                                               DemandReply(decision: parsed, refusedItems: refused, reason: reason))
            printSummary(view)
        }
    }

    struct Terms: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the draft agreement a granted demand became, as the TOML an admin reviews in Agreements/.")
        @OptionGroup var connection: HubConnectionOptions
        @Argument(help: "A demand id (or an agreement id).") var id: String

        func run() async throws {
            let client = try connection.client()
            var agreement = id
            if !id.hasPrefix("BJ-GX-") {
                let view: HubAPI.DemandView = try await client.get("/v1/demands/\(id.urlPathEscaped)")
                guard let drawn = view.demand.agreement else { throw CLIError("demand \(id) is \(view.demand.state.rawValue): it has no agreement") }
                agreement = drawn
            }
            let text = try await client.send(.GET, "/v1/agreements/\(agreement.urlPathEscaped)/toml", body: nil)
            print(String(decoding: text, as: UTF8.self), terminator: "")
        }
    }
}

private func printSummary(_ view: HubAPI.DemandView) {
    let d = view.demand
    var line = "\(d.id)  [\(d.state.rawValue)]  \(d.resourceCode) (\(d.sharingType.rawValue)) \(d.provider) → \(d.consumer)"
    if let awaiting = view.awaiting, let deadline = d.deadline {
        line += "\n  awaiting \(awaiting) until the end of \(DemandCommand.List.beijing(deadline)) (Beijing)" + (view.overdue ? ", OVERDUE" : "")
    }
    if let reason = d.stateReason { line += "\n  reason: \(reason)" }
    if let agreement = d.agreement { line += "\n  agreement \(agreement) drafted: review it with `gx demand terms \(d.id)`, then both parties `gx agreement sign \(agreement)`" }
    print(line)
}
