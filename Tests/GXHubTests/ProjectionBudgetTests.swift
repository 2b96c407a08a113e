@testable import GXHub
import Testing

@Suite("The hub's projection budget")
struct ProjectionBudgetTests {
    @Test("a push asks for its consumers' slots at most up to the capacity, and later requests wait their turn")
    func slotsAreBounded() async throws {
        let budget = ProjectionBudget(capacity: 4, trimsMemory: false)
        var first: [ProjectionSlot]? = await budget.acquire(40)
        #expect(first?.count == 4 && budget.inUse == 4)
        let waiting = Task { await budget.acquire(3).count }
        try await Task.sleep(for: .milliseconds(100))
        #expect(budget.inUse == 4, "nothing is handed out beyond the capacity")
        first = nil
        #expect(await waiting.value == 3)
        #expect(budget.peakInUse == 4)
        #expect(budget.inUse == 0, "slots come back when their projections are gone")
    }

    @Test("a request cancelled while it waits takes nothing")
    func cancelledWaiterTakesNothing() async throws {
        let budget = ProjectionBudget(capacity: 1, trimsMemory: false)
        let held = await budget.acquire(1)
        let waiting = Task { await budget.acquire(1).count }
        try await Task.sleep(for: .milliseconds(50))
        waiting.cancel()
        #expect(await waiting.value == 0)
        #expect(budget.inUse == held.count)
    }
}
