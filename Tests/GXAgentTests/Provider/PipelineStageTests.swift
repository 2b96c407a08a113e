import NIOConcurrencyHelpers
import Testing
@testable import GXAgent

@Suite("Pipeline stage")
struct PipelineStageTests {
    @Test("results leave in the order the items came, whichever worker finished first")
    func order() throws {
        let emitted = NIOLockedValueBox<[Int]>([])
        let stage = PipelineStage<Int, Int>(label: "test.order", workers: 3, transform: { item in
            // Uneven work, so later chunks often finish before earlier ones.
            var spin = 0
            for step in 0..<((item / pipelineChunkItems) % 3 == 0 ? 20_000 : 10) { spin &+= step }
            return item * 2 + (spin & 0)
        }, emit: { outputs in
            emitted.withLockedValue { $0.append(contentsOf: outputs) }
        })
        let count = pipelineChunkItems * 7 + 5
        for item in 0..<count { try stage.add(item) }
        try stage.finish()
        #expect(emitted.withLockedValue { $0 } == (0..<count).map { $0 * 2 })
    }

    @Test("a failing item stops the stage: later chunks are not emitted and finish throws the error")
    func failure() throws {
        struct Broken: Error, Equatable { let item: Int }
        let emitted = NIOLockedValueBox<[Int]>([])
        let failing = pipelineChunkItems * 2 + 3
        let stage = PipelineStage<Int, Int>(label: "test.failure", workers: 2, transform: { item in
            if item == failing { throw Broken(item: item) }
            return item
        }, emit: { outputs in
            emitted.withLockedValue { $0.append(contentsOf: outputs) }
        })
        var addError: (any Error)?
        do {
            for item in 0..<(pipelineChunkItems * 20) { try stage.add(item) }
        } catch {
            addError = error
        }
        let finishError = #expect(throws: Broken.self) { try stage.finish() }
        #expect(finishError == Broken(item: failing))
        if let addError { #expect(addError as? Broken == Broken(item: failing)) }
        // Everything before the failing chunk came out, in order; nothing from it or after.
        let out = emitted.withLockedValue { $0 }
        #expect(out == Array(0..<out.count))
        #expect(out.count <= failing - failing % pipelineChunkItems)
    }
}
