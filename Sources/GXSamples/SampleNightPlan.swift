import GXDomain

/// Which rows night 2 deletes, updates and inserts: about 1 % of the register, at least one of
/// each (given three rows), chosen by a keyed permutation so the choice is spread over the file
/// and needs no memory.
struct SampleNightPlan: Sendable {
    enum Fate { case kept, updated, deleted }

    let deletes: Int
    let updates: Int
    let inserts: Int
    private let permutation: SamplePermutation?

    init(rows: Int, seed: UInt64) {
        guard rows > 0 else {
            deletes = 0; updates = 0; inserts = 0; permutation = nil
            return
        }
        let changes = max(3, (rows + 50) / 100)
        let deletes = min(rows, max(1, changes * 3 / 10))
        let updates = min(rows - deletes, max(1, changes * 4 / 10))
        self.deletes = deletes
        self.updates = updates
        inserts = max(1, changes - deletes - updates)
        permutation = SamplePermutation(count: UInt64(rows), seed: seed, stream: 0x4E49_4748_5432)
    }

    func fate(of index: Int) -> Fate {
        guard let permutation else { return .kept }
        let rank = permutation(index)
        if rank < deletes { return .deleted }
        return rank < deletes + updates ? .updated : .kept
    }
}
