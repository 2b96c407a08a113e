import ArgumentParser
import Foundation
import GXDomain
import GXHub

struct ObjectionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "objection", abstract: "Object to a shared record (数据异议) and answer such objections.",
        discussion: """
            Life of an objection: the consumer agency raises it on a record it received under an active agreement \
            (raise) → the hub accepts it and flags the record for every consumer of the resource (their agents \
            keep it in gx_disputed) → the provider answers within 5 working days (the hub's objection_answer_days; \
            answer confirmed|rejected): \
            confirmed, it corrects the record at the source, and the hub closes the objection itself when the \
            provider's next accepted batch carries that key; rejected, with --reason, the flag is withdrawn. An \
            objection left unanswered past its deadline is escalated to the authority (the provider may still answer).

            Example:

              gx objection raise --agreement BJ-GX-2026-004 --key 110101198001010015 --item 姓名 \\
                  --problem "姓名与社保档案不符" --evidence "社保档案 2026-0001 号"
              gx objection list --open           # the provider sees what awaits it
              gx objection answer YY-2026-001 confirmed
            """,
        subcommands: [Raise.self, List.self, Show.self, Answer.self])

    struct Raise: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Raise an objection on a record received under an agreement; the agreement's consumer.",
            discussion: "Give one --key per key item of the resource, in the catalogue's key order (`gx catalogue show CODE`); the disputed items must be items of the agreement.")
        @OptionGroup var connection: HubConnectionOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "The agreement the record was received under, e.g. BJ-GX-2026-004.") var agreement: String
        @Option(name: .customLong("key"), help: "The record's key value (repeat for a composite key, in key order).") var key: [String]
        @Option(name: .customLong("item"), help: "A disputed item (repeat for each).") var items: [String]
        @Option(help: "What is wrong with the record.") var problem: String
        @Option(help: "Evidence: where the right value is recorded.") var evidence: String?

        func run() async throws {
            let view: HubAPI.ObjectionView = try await connection.client().post(
                "/v1/objections", ObjectionRequest(agreement: agreement, key: key, items: items, problem: problem, evidence: evidence))
            if output.json { return try JSONOutput.print(view) }
            printSummary(view)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List objections: an agency sees those it raised and those raised against its resources; the admin and auditors all.")
        @OptionGroup var connection: HubConnectionOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "Only this state: open, escalated, confirmed, rejected, closed.") var state: String?
        @Option(help: "Only this resource.") var resource: String?
        @Option(help: "Only this agreement.") var agreement: String?
        @Flag(name: .customLong("open"), help: "Only those that flag their record (open, escalated, confirmed).") var flagged = false
        @Flag(help: "Only those awaiting the provider's answer past their deadline.") var overdue = false

        func run() async throws {
            var query: [String] = []
            if let state { query.append("state=\(state.urlQueryEscaped)") }
            if let resource { query.append("resource=\(resource.urlQueryEscaped)") }
            if let agreement { query.append("agreement=\(agreement.urlQueryEscaped)") }
            if flagged { query.append("flagged=true") }
            if overdue { query.append("overdue=true") }
            let views: [HubAPI.ObjectionView] = try await connection.client().get("/v1/objections" + (query.isEmpty ? "" : "?" + query.joined(separator: "&")))
            if output.json { return try JSONOutput.print(views) }
            var table = TextTable("ID", "STATE", "AGREEMENT", "KEY", "ITEMS", "AWAITING", "DEADLINE")
            for view in views {
                let o = view.objection
                table.add(o.id, o.state.rawValue, o.agreement, o.keyText, o.items.joined(separator: "、"), view.awaiting ?? "-",
                          DemandCommand.List.beijing(o.deadline) + (view.overdue ? " OVERDUE" : ""))
            }
            print(table.render())
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show an objection: the record, what is wrong, who must act by when, the answer and the closing batch.")
        @OptionGroup var connection: HubConnectionOptions
        @OptionGroup var output: OutputOptions
        @Argument var id: String

        func run() async throws {
            let view: HubAPI.ObjectionView = try await connection.client().get("/v1/objections/\(id.urlPathEscaped)")
            if output.json { return try JSONOutput.print(view) }
            printSummary(view)
            let o = view.objection
            print("key: \(o.keyText)")
            print("items: \(o.items.joined(separator: "、"))")
            print("problem: \(o.problem)")
            if let evidence = o.evidence { print("evidence: \(evidence)") }
            print("raised \(o.raisedAt)")
            if let escalated = o.escalatedAt { print("escalated to the authority \(escalated)") }
            if let answer = o.answer { print("answer: \(answer.decision.rawValue) by \(answer.by ?? "-") at \(answer.at ?? "-")\(answer.reason.map { " — \($0)" } ?? "")") }
            if let closed = o.closedAt { print("closed \(closed) by batch \(o.closedBy ?? "-")") }
        }
    }

    struct Answer: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Answer an objection; the resource's provider.",
            discussion: """
                confirmed: the record is wrong; correct it at the source, and the next batch your agent pushes with that \
                key closes the objection. rejected: the record stands; --reason is required.
                """)
        @OptionGroup var connection: HubConnectionOptions
        @Argument var id: String
        @Argument(help: "confirmed or rejected.") var decision: String
        @Option(help: "Why (required to reject; recorded in the audit log).") var reason: String?

        func run() async throws {
            guard let parsed = ObjectionAnswer.Decision(rawValue: decision) else {
                throw ValidationError("the decision is confirmed or rejected; got '\(decision)'")
            }
            let view: HubAPI.ObjectionView = try await connection.client().post("/v1/objections/\(id.urlPathEscaped)/answer",
                                                                                  ObjectionAnswer(decision: parsed, reason: reason))
            printSummary(view)
        }
    }
}

private func printSummary(_ view: HubAPI.ObjectionView) {
    let o = view.objection
    var line = "\(o.id)  [\(o.state.rawValue)]  \(o.agreement) \(o.resourceCode) \(o.provider) ← \(o.consumer)"
    if let awaiting = view.awaiting {
        line += o.state == .confirmed
            ? "\n  awaiting \(awaiting)'s correcting batch"
            : "\n  awaiting \(awaiting), answer due by the end of \(DemandCommand.List.beijing(o.deadline)) (Beijing)" + (view.overdue ? ", OVERDUE" : "")
    }
    if let reason = o.answer?.reason { line += "\n  reason: \(reason)" }
    print(line)
}
