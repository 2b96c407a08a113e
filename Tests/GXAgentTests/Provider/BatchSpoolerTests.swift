import Foundation
import GXCrypto
import GXDomain
import GXTestSupport
import Testing
@testable import GXAgent

@Suite("Batch spooler")
struct BatchSpoolerTests {
    /// Spools `records` records of RK-001 in batches of `batchRecords`, sealed, with `memory`; returns what
    /// each batch was handed over with, and the batches' spool files.
    static func spool(records: Int, batchRecords: Int, memory: SpoolMemory, scratch: LocalDataScratch,
                      keys: DataKeyring) throws -> [(pending: AgentState.PendingBatch, payload: SpooledPayload?)] {
        let entry = try #require(try SampleDocuments.catalogue()["RK-001"])
        let items = entry.items.map(\.name)
        let state = try AgentState(directory: scratch.file("state"))
        let spooler = try BatchSpooler(plan: .init(directory: scratch.file("spool"), provider: "P", entry: entry, items: items,
                                                   firstSequence: 1, batchRecords: batchRecords, mode: .snapshot, generation: 1,
                                                   full: true, cursorFrom: nil, sealing: keys.current),
                                       key: try SM2PrivateKey.generate(), state: state, memory: memory)
        var handed: [(pending: AgentState.PendingBatch, payload: SpooledPayload?)] = []
        spooler.onSpooled = { handed.append(($0, $1)) }
        var random = SeededRandom(seed: 7)
        for row in 0..<records {
            var line: [UInt8] = []
            // Values that do not compress away, so batches have a real size.
            let values = items.indices.map { $0 == 0 ? "row\(row)" : String(random.next() % 1_000_000_007, radix: 36) }
            CanonicalRecord(operation: .upsert, values: values).write(into: &line)
            try spooler.append(encoded: line, operation: .upsert)
        }
        try spooler.finish(quarantine: [], quarantined: 0)
        return handed
    }

    @Test("a spooled batch is handed over with its payload while the pass's memory allowance has room, byte for byte its sealed spool file")
    func batchHandedOverFromMemory() throws {
        let scratch = try LocalDataScratch()
        let keys = try DataKeyring.openingOrCreating(scratch.file("data-keys"))
        let memory = SpoolMemory(total: 64 << 20)
        let handed = try Self.spool(records: 3_000, batchRecords: 1_000, memory: memory, scratch: scratch, keys: keys)
        #expect(handed.count == 4, "three full batches and the end of the pass")
        for batch in handed {
            let payload = try #require(batch.payload, "batch \(batch.pending.sequence) was not kept in memory")
            #expect(payload.bytes == (try PayloadFileReader(path: batch.pending.payload, keyring: keys).readAll()))
            #expect(payload.count == payload.bytes.count)
        }
        #expect(memory.inUse == handed.compactMap(\.payload).reduce(0) { $0 + $1.count }, "the receiver gives the bytes back")
    }

    @Test("batches beyond the memory allowance are handed over without their payload, to be pushed from their files")
    func batchBeyondAllowanceComesFromItsFile() throws {
        let scratch = try LocalDataScratch()
        let keys = try DataKeyring.openingOrCreating(scratch.file("data-keys"))
        let memory = SpoolMemory(total: 1)
        let handed = try Self.spool(records: 2_000, batchRecords: 1_000, memory: memory, scratch: scratch, keys: keys)
        #expect(handed.count == 3)
        #expect(handed.allSatisfy { $0.payload == nil })
        #expect(memory.inUse == 0, "what a dropped copy took is given back")
    }
}
