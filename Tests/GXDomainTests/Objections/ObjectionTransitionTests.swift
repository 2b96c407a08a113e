import GXDomain
import GXTestSupport
import Testing

@Suite("Objections (数据异议): checks and transitions")
struct ObjectionTransitionTests {
    static func population() throws -> (AgreementTerms, CatalogueEntry) {
        let terms = try #require(try SampleDocuments.agreementTerms().first { $0.resourceCode == "RK-001" })
        let entry = try #require(try SampleDocuments.catalogue()["RK-001"])
        return (terms, entry)
    }

    static let request = ObjectionRequest(agreement: "BJ-GX-2026-004", key: ["110101199003074514"], items: ["姓名"],
                                          problem: "  姓名与户籍档案不符 ", evidence: "户籍档案 2026-03 ")

    static func open() -> Objection {
        Objection(id: "YY-2026-001", consumer: "c", provider: "p", agreement: "BJ-GX-2026-004", resourceCode: "RK-001",
                  key: ["110101199003074514"], items: ["姓名"], problem: "wrong", evidence: nil,
                  raisedAt: "2026-03-02T01:00:00Z", deadline: "2026-03-09T01:00:00Z")
    }

    func refusal(_ body: () throws -> Void) -> String? {
        do { try body() } catch let error as InvalidInput { return error.field } catch { return "\(error)" }
        return nil
    }

    @Test("a request is tidied: problem and evidence trimmed, items kept")
    func checkedTidies() throws {
        let (terms, entry) = try Self.population()
        let checked = try Objection.checked(Self.request, terms: terms, entry: entry)
        #expect(checked.problem == "姓名与户籍档案不符")
        #expect(checked.evidence == "户籍档案 2026-03")
        #expect(checked.items == ["姓名"])
    }

    @Test("an item outside the agreement, a repeated item, no items, a wrong key count, an empty problem and long evidence are refused by field")
    func refusals() throws {
        let (terms, entry) = try Self.population()
        func field(_ change: (inout ObjectionRequest) -> Void) -> String? {
            var request = Self.request
            change(&request)
            return refusal { _ = try Objection.checked(request, terms: terms, entry: entry) }
        }
        #expect(field { $0.items = ["住址"] } == "items") // in the catalogue, not in the agreement
        #expect(field { $0.items = ["姓名", "姓名"] } == "items")
        #expect(field { $0.items = [] } == "items")
        #expect(field { $0.key = [] } == "key")
        #expect(field { $0.key = ["1", "2"] } == "key")
        #expect(field { $0.key = [""] } == "key")
        #expect(field { $0.problem = "   " } == "problem")
        #expect(field { $0.evidence = String(repeating: "证", count: 4001) } == "evidence")
        #expect(field { _ in } == nil)
    }

    @Test("a confirmation moves open to confirmed and keeps the flag; a rejection needs its reason and ends it")
    func answers() throws {
        let confirmed = try Self.open().answered(ObjectionAnswer(decision: .confirmed))
        #expect(confirmed.state == .confirmed)
        #expect(confirmed.state.flagsRecord)
        #expect(confirmed.revision == 1)
        #expect(refusal { _ = try Self.open().answered(ObjectionAnswer(decision: .rejected, reason: " ")) } == "reason")
        let rejected = try Self.open().answered(ObjectionAnswer(decision: .rejected, reason: "档案核实无误"))
        #expect(rejected.state == .rejected)
        #expect(!rejected.state.flagsRecord)
    }

    @Test("an answered objection cannot be answered again, and only a confirmed one is closed by a batch")
    func illegalTransitions() throws {
        let confirmed = try Self.open().answered(ObjectionAnswer(decision: .confirmed))
        #expect(throws: ObjectionError.illegalTransition(objection: "YY-2026-001", state: .confirmed, act: "answer", allowedFrom: [.open, .escalated])) {
            _ = try confirmed.answered(ObjectionAnswer(decision: .rejected, reason: "x"))
        }
        #expect(throws: ObjectionError.self) { _ = try Self.open().closed(by: "RK-001#2", at: "2026-03-03T00:00:00Z") }
        let closed = try confirmed.closed(by: "RK-001#2", at: "2026-03-03T00:00:00Z")
        #expect(closed.state == .closed)
        #expect(closed.closedBy == "RK-001#2")
        #expect(throws: ObjectionError.self) { _ = try closed.escalated(at: "2026-03-10T00:00:00Z") }
    }

    @Test("an open objection past its deadline is overdue, is escalated to the authority, and may still be answered")
    func escalation() throws {
        let open = Self.open()
        #expect(!open.isOverdue(at: "2026-03-09T00:59:59Z"))
        #expect(open.isOverdue(at: "2026-03-09T01:00:00Z"))
        let escalated = try open.escalated(at: "2026-03-09T02:00:00Z")
        #expect(escalated.awaiting == "authority")
        #expect(escalated.isOverdue(at: "2026-03-10T00:00:00Z"))
        let answered = try escalated.answered(ObjectionAnswer(decision: .confirmed, at: "2026-03-10T00:00:00Z"))
        #expect(answered.answeredInTime == false)
        #expect(!answered.isOverdue(at: "2026-03-10T00:00:00Z"))
    }

    @Test("a composite key is kept as its canonical JSON array, a single one as the value")
    func keyText() {
        #expect(Objection.keyText(["a"]) == "a")
        #expect(Objection.keyText(["a", "b\""]) == #"["a","b\""]"#)
    }
}
